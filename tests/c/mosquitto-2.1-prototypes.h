/*
 * The 19 functions libmosquitto 2.1 added (version node MOSQ_2.1), as the
 * 2.1 headers declare them; tests/headers.rs re-declares them after our
 * include/mosquitto.h so that any difference fails to compile. Callback
 * parameters are written out instead of using 2.1's LIBMOSQ_CB_* typedefs
 * (same types).
 */
libmosq_EXPORT void mosquitto_pre_connect_callback_set(struct mosquitto *mosq, void (*on_pre_connect)(struct mosquitto *, void *));
libmosq_EXPORT void mosquitto_unsubscribe2_v5_callback_set(struct mosquitto *mosq, void (*on_unsubscribe)(struct mosquitto *, void *, int, int, const int *, const mosquitto_property *props));
libmosq_EXPORT void mosquitto_ext_auth_callback_set(struct mosquitto *mosq, int (*on_ext_auth)(struct mosquitto *, void *, const char *, uint16_t, const void *, const mosquitto_property *props));
libmosq_EXPORT int mosquitto_ext_auth_continue(struct mosquitto *context, const char *auth_method, uint16_t auth_data_len, const void *auth_data, const mosquitto_property *props);

libmosq_EXPORT int mosquitto_property_remove(mosquitto_property **proplist, const mosquitto_property *property);
libmosq_EXPORT int mosquitto_property_type(const mosquitto_property *property);
libmosq_EXPORT uint8_t mosquitto_property_byte_value(const mosquitto_property *property);
libmosq_EXPORT uint16_t mosquitto_property_int16_value(const mosquitto_property *property);
libmosq_EXPORT uint32_t mosquitto_property_int32_value(const mosquitto_property *property);
libmosq_EXPORT uint32_t mosquitto_property_varint_value(const mosquitto_property *property);
libmosq_EXPORT const void *mosquitto_property_binary_value(const mosquitto_property *property);
libmosq_EXPORT uint16_t mosquitto_property_binary_value_length(const mosquitto_property *property);
libmosq_EXPORT const char *mosquitto_property_string_value(const mosquitto_property *property);
libmosq_EXPORT uint16_t mosquitto_property_string_value_length(const mosquitto_property *property);
libmosq_EXPORT const char *mosquitto_property_string_name(const mosquitto_property *property);
libmosq_EXPORT uint16_t mosquitto_property_string_name_length(const mosquitto_property *property);

libmosq_EXPORT int mosquitto_topic_matches_sub_with_pattern(const char *sub, const char *topic, const char *clientid, const char *username, bool *result);
libmosq_EXPORT int mosquitto_sub_matches_acl(const char *acl, const char *sub, bool *result);
libmosq_EXPORT int mosquitto_sub_matches_acl_with_pattern(const char *acl, const char *sub, const char *clientid, const char *username, bool *result);

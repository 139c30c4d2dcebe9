//! `mosquitto_subscribe_simple` and `mosquitto_subscribe_callback` give the
//! same results on our library as on Debian's, against a real broker.

mod support;
use support::common;

use common::Lib;
use std::time::Duration;
use support::Broker;

fn retained(broker: &Broker, topic: &str, payload: &str) {
    let out = support::clients::mosquitto_pub(
        Lib::Reference,
        &support::clients::args([
            "-p",
            &broker.port().to_string(),
            "-t",
            topic,
            "-m",
            payload,
            "-r",
            "-q",
            "1",
        ]),
    );
    common::assert_output_ok(&out, "mosquitto_pub -r");
}

#[test]
fn one_shot_helpers_match_the_reference() {
    let dir = common::scratch("helpers_api");
    let exe = dir.join("helpers_simple");
    common::compile(
        &[&common::root().join("tests/c/helpers_simple.c")],
        &exe,
        &["-Wall", "-Wextra", "-Werror", "-lmosquitto"],
        false,
    );
    let mut outputs = Vec::new();
    for lib in [Lib::Reference, Lib::Ours] {
        let broker = Broker::plain();
        retained(&broker, "h/a", "one");
        retained(&broker, "h/b", "two");
        let mut cmd = common::command_with(lib, &exe);
        cmd.args(["127.0.0.1", &broker.port().to_string(), "h"]);
        let out = support::run::run_with_timeout(&mut cmd, Duration::from_secs(30));
        common::assert_output_ok(&out, &format!("helpers_simple on {lib:?}"));
        outputs.push(String::from_utf8_lossy(&out.stdout).into_owned());
    }
    assert!(
        outputs[0].contains("subscribe_simple rc=0"),
        "{}",
        outputs[0]
    );
    assert!(
        outputs[0].contains("simple h/b: two qos=1 retain=1"),
        "{}",
        outputs[0]
    );
    assert_eq!(outputs[1], outputs[0], "ours differs from the reference");
}

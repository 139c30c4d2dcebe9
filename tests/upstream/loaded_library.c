/* Linked into every upstream client that tests/upstream_suite.rs builds.
 *
 * At start-up, after the dynamic loader has mapped every library and before
 * main() runs, it copies the lines of /proc/self/maps that name a
 * libmosquitto file into $MOSQ_SUITE_MAPS/<folder>-<program>, for example
 * .../maps/c-01-con-discon-success.test. The harness reads that file to know
 * which library each client really ran on. Without MOSQ_SUITE_MAPS it does
 * nothing. */
#define _GNU_SOURCE
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

__attribute__((constructor)) static void report_loaded_library(void)
{
	const char *dir = getenv("MOSQ_SUITE_MAPS");
	char exe[PATH_MAX];
	char out_path[PATH_MAX];
	char line[PATH_MAX + 256];
	char *name;
	char *folder;
	ssize_t len;
	FILE *maps;
	FILE *out;

	if(dir == NULL){
		return;
	}
	len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if(len <= 0){
		return;
	}
	exe[len] = '\0';
	/* ".../c/NAME.test" -> folder "c", name "NAME.test" */
	name = strrchr(exe, '/');
	if(name == NULL){
		return;
	}
	*name++ = '\0';
	folder = strrchr(exe, '/');
	folder = folder ? folder + 1 : exe;
	if(snprintf(out_path, sizeof(out_path), "%s/%s-%s", dir, folder, name) >= (int)sizeof(out_path)){
		return;
	}

	maps = fopen("/proc/self/maps", "r");
	if(maps == NULL){
		return;
	}
	out = fopen(out_path, "w");
	if(out == NULL){
		fclose(maps);
		return;
	}
	while(fgets(line, sizeof(line), maps)){
		if(strstr(line, "libmosquitto")){
			fputs(line, out);
		}
	}
	fclose(out);
	fclose(maps);
}

//! `make demo` (tools/demo.sh), the README's first command, works: Debian's
//! mosquitto_sub and mosquitto_pub exchange three messages through our
//! library, which they demonstrably loaded.

mod support;
use support::common;

use std::process::Command;

#[test]
fn demo_script_exchanges_messages_through_our_library() {
    let lib = common::our_lib();
    let output = Command::new(common::root().join("tools/demo.sh"))
        .env_remove("LD_LIBRARY_PATH")
        .output()
        .expect("run tools/demo.sh");
    common::assert_output_ok(&output, "tools/demo.sh");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let lib = lib.display().to_string();
    assert!(
        stdout.contains(&format!("has mapped: {lib}")),
        "mosquitto_sub did not map {lib}:\n{stdout}"
    );
    for qos in 0..3 {
        assert!(
            stdout.contains(&format!("demo/qos{qos} hello at QoS {qos}")),
            "message at QoS {qos} missing:\n{stdout}"
        );
    }
}

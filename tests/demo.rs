//! The README's first command, `bash examples/demo.sh`, run as written: it must
//! show one allowed and one blocked promotion.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::process::Command;

#[test]
fn the_demo_shows_an_allowed_and_a_blocked_promotion() {
    let output = Command::new("bash")
        .arg(common::root().join("examples/demo.sh"))
        .env("RELEASE_GATE", env!("CARGO_BIN_EXE_release-gate"))
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{text}\n{}", String::from_utf8_lossy(&output.stderr));
    let allowed = text.find("ALLOWED: 0 errors, 2 warnings").expect("an allowed promotion");
    let blocked = text.find("BLOCKED: 1 error, 2 warnings").expect("a blocked promotion");
    assert!(allowed < blocked);
    assert!(text.contains("[outside-window]"));
    assert!(text.contains("next allowed: regular window, Thu 2026-12-03 07:00 +01:00 to 17:00"));
}

//! `kenpo serve` as shipped: HTTPS with a certificate made here by `openssl`, reached by `curl`
//! (real peers, no mocks); plain HTTP refused off loopback before anything opens.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

fn kenpo(data: &std::path::Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kenpo"));
    cmd.arg("--data-dir").arg(data).env_remove("KENPO_DATABASE_URL").env_remove("KENPO_VAULT_KEY");
    cmd
}

/// Kills the server when the test ends, however it ends.
struct Running(std::process::Child);
impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn serve_speaks_tls_with_the_given_certificate_and_refuses_plain_http_off_loopback() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    assert!(kenpo(&data).arg("init").status().expect("kenpo init").success());

    // Off loopback without TLS: refused, naming the way out.
    let out = kenpo(&data).args(["serve", "--listen", "0.0.0.0:0"]).output().expect("kenpo serve");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("loopback") && err.contains("--tls-cert"), "{err}");

    let cert = dir.path().join("cert.pem");
    let key = dir.path().join("key.pem");
    let made = Command::new("openssl")
        .args(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1"])
        .args(["-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1"])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .stderr(Stdio::null())
        .status()
        .expect("openssl (Debian's) makes a test certificate");
    assert!(made.success());

    let mut child = kenpo(&data)
        .args(["serve", "--listen", "127.0.0.1:0", "--tls-cert"])
        .arg(&cert)
        .arg("--tls-key")
        .arg(&key)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("kenpo serve");
    let stdout = child.stdout.take().expect("stdout");
    let server = Running(child);
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).expect("the ready line");
    let base = line
        .split_whitespace()
        .find(|w| w.starts_with("https://"))
        .unwrap_or_else(|| panic!("no https address in {line:?}"))
        .trim_end_matches("/api/v1")
        .to_string();

    // Trusting exactly this certificate, the description answers over TLS.
    let ok = Command::new("curl")
        .args(["-s", "--max-time", "10", "--cacert"])
        .arg(&cert)
        .arg(format!("{base}/api/openapi.json"))
        .output()
        .expect("curl");
    assert!(ok.status.success(), "curl over TLS: {}", String::from_utf8_lossy(&ok.stderr));
    let spec: serde_json::Value = serde_json::from_slice(&ok.stdout).expect("JSON");
    assert!(spec["openapi"].as_str().is_some_and(|v| v.starts_with("3.1")));

    // A data endpoint over TLS still wants a session.
    let who = Command::new("curl")
        .args(["-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "10", "--cacert"])
        .arg(&cert)
        .arg(format!("{base}/api/v1/session"))
        .output()
        .expect("curl");
    assert_eq!(String::from_utf8_lossy(&who.stdout), "401");

    // Plain HTTP to the TLS port gets no answer.
    let plain = Command::new("curl")
        .args(["-s", "--max-time", "5"])
        .arg(format!("{}/api/openapi.json", base.replace("https://", "http://")))
        .output()
        .expect("curl");
    assert!(!plain.status.success() || plain.stdout.is_empty(), "plain HTTP was answered on the TLS port");
    drop(server);
}

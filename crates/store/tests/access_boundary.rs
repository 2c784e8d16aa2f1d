//! The access layer's boundary, checked on the source: every public async function of the
//! store (the ones that run SQL) takes an `&AccessContext`, except opening and closing.
//! The login path of `kenpo serve` (accounts.rs) is the one named exception: it runs before
//! there is an actor, reads only the account row being logged in to, and writes its failure
//! counter, lock and first password.
//! Together with the `compile_fail` examples in `src/guard.rs` (no forged grant, no reachable
//! pool) this keeps "no personal data without a context" true as the store grows.

/// The functions of the login path (no actor exists yet): only in accounts.rs.
const LOGIN_PATH: [&str; 6] = [
    "account_by_login",
    "account_totp_secret",
    "account_login_failed",
    "account_login_ok",
    "account_activate",
    "account_audit_login",
];

#[test]
fn every_public_async_store_function_takes_an_access_context() {
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut checked = 0;
    for entry in std::fs::read_dir(&src).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let mut rest = text.as_str();
        while let Some(pos) = rest.find("pub async fn ") {
            let after = &rest[pos + "pub async fn ".len()..];
            let name: String = after.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            let signature = &after[..after.find('{').unwrap_or(after.len())];
            let login_path = path.ends_with("accounts.rs") && LOGIN_PATH.contains(&name.as_str());
            if !["open", "close"].contains(&name.as_str()) && !login_path {
                assert!(
                    signature.contains("&AccessContext"),
                    "{}: `pub async fn {name}` must take `ctx: &AccessContext`",
                    path.display()
                );
                checked += 1;
            }
            rest = after;
        }
        // The login door of `repo` is used on the login path only.
        let file = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if !["accounts.rs", "repo.rs", "guard.rs"].contains(&file) {
            assert!(!text.contains("login_path()"), "{}: the login door is for accounts.rs only", path.display());
        }
        // An operator check is made only where the catalogue's operations are decided.
        if !["audit_ops.rs", "repo.rs"].contains(&file) {
            assert!(!text.contains("Operator::checked"), "{}: only require_operator makes an Operator", path.display());
        }
        // No public function hands out the pool or a raw row type.
        assert!(!text.contains("pub fn pool"), "{}: the pool must stay private", path.display());
        assert!(!text.contains("pub pool"), "{}", path.display());
    }
    assert!(checked >= 7, "found only {checked} guarded functions: is the scan still reading the store?");
}

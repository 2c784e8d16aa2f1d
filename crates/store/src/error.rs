use kenpo_domain::DataCategory;

/// Errors of the store. None carries a personal value: denials name the actor, purpose,
/// category and rule; input errors name the file, line and field.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "拒否 (denied): {actor} は利用目的 {purpose} で {category} を{} できません（規則 {rule}、ポリシー {policy_version}）",
        action_ja(action)
    )]
    Denied {
        actor: String,
        action: &'static str,
        purpose: String,
        category: DataCategory,
        rule: &'static str,
        policy_version: String,
    },
    #[error("拒否 (denied): {recipient} へは利用目的 {purpose} で提供できません: {why}")]
    RecipientRefused { recipient: String, purpose: String, why: String },
    #[error("not found: {0}")]
    NotFound(String),
    /// Bad input, with file, line and field already named by the reader.
    #[error("{0}")]
    Input(String),
    #[error("{file}: this content was already imported (import #{import_id}); nothing was changed")]
    AlreadyImported { file: String, import_id: i64 },
    #[error(transparent)]
    Vault(#[from] crate::vault::VaultError),
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    #[error("database schema: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("unsupported database URL (use sqlite://PATH or postgres://…)")]
    Url,
    #[error("audit log: {0} (the access was not carried out)")]
    Audit(String),
    #[error("policy catalogue: {0}")]
    Policy(String),
    #[error("stored data is inconsistent: {0}")]
    Corrupt(String),
}

fn action_ja(action: &str) -> &'static str {
    match action {
        "read" => "閲覧",
        "write" => "登録・更新",
        "export" => "提供・出力",
        "erase" => "消去",
        _ => "操作",
    }
}

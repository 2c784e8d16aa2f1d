//! How actors, contractors and recipients are named to people (reports, screens).

use kenpo_policy::Actor;
use kenpo_policy::catalogue::Catalogue;

/// How an actor appears in a member's report: roles and contractors by name; staff names only
/// if the catalogue says so.
pub fn actor_label(catalogue: &Catalogue, actor: &str) -> String {
    if actor == "member" {
        return "ご本人".to_string();
    }
    match Actor::parse(actor) {
        Ok(Actor::Staff { role, user }) => {
            if catalogue.meta.disclose_staff_names {
                format!("{}（{}）", role.label(), user)
            } else {
                role.label().to_string()
            }
        }
        Ok(Actor::Contractor { id }) => catalogue.contractor(&id).map(|c| c.name.clone()).unwrap_or(id),
        Ok(Actor::Member { .. }) => "ご本人".to_string(),
        Ok(Actor::System { .. }) => "システム処理".to_string(),
        Err(_) => "不明".to_string(),
    }
}

//! From a verified token's claims to a `Viewer`. Identity providers put cosell's claims under
//! names of their own (`custom:partner_id` in Cognito, a namespaced URL in Auth0, a `roles`
//! array in Entra ID, `realm_access.roles` in Keycloak), so every name is configurable: a
//! top-level claim name, or a JSON pointer (`/realm_access/roles`) for a nested one.
use crate::auth::tokens::Rejection;
use crate::auth::viewer::Viewer;
use crate::domain::enums::{Role, SegmentCode, StoredEnum};
use serde_json::{Map, Value};

#[derive(Clone, Debug)]
pub struct ClaimMap {
    pub subject: String,
    pub role: String,
    pub partner_id: String,
    pub partner_ids: String,
    pub segments: String,
    /// Provider values that stand for a cosell role (`cosell-admins` → ADMIN); a value not
    /// listed must be a role's own name.
    pub role_values: Vec<(String, Role)>,
    /// Provider scopes that stand for a cosell scope (`api://cosell/read` → `cosell:read`).
    pub scope_values: Vec<(String, String)>,
}

impl Default for ClaimMap {
    /// cosell's own names, as `cosell token` writes them.
    fn default() -> Self {
        ClaimMap {
            subject: "sub".into(),
            role: "role".into(),
            partner_id: "partner_id".into(),
            partner_ids: "partner_ids".into(),
            segments: "segments".into(),
            role_values: Vec::new(),
            scope_values: Vec::new(),
        }
    }
}

/// A claim by name, or by JSON pointer when the name starts with `/`.
pub fn claim<'a>(claims: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    if let Some(pointer) = name.strip_prefix('/') {
        let (first, rest) = pointer.split_once('/').unwrap_or((pointer, ""));
        let top = claims.get(&first.replace("~1", "/").replace("~0", "~"))?;
        if rest.is_empty() {
            Some(top)
        } else {
            top.pointer(&format!("/{rest}"))
        }
    } else {
        claims.get(name)
    }
}

/// Strings of a claim that is an array, or one string of values separated by spaces or commas
/// (Cognito's custom attributes cannot be arrays).
fn strings(value: Option<&Value>) -> Result<Vec<String>, String> {
    match value {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::String(s)) => Ok(s
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| v.as_str().map(str::to_string).ok_or("not a string".into()))
            .collect(),
        Some(_) => Err("neither a string nor an array of strings".into()),
    }
}

impl ClaimMap {
    pub fn viewer(&self, claims: &Map<String, Value>) -> Result<Viewer, Rejection> {
        let bad = |what: &str, detail: String| Rejection::claims(format!("{what}: {detail}"));
        let subject = match claim(claims, &self.subject) {
            Some(Value::String(s)) if !s.trim().is_empty() => s.clone(),
            _ => return Err(bad(&self.subject, "missing or empty".into())),
        };
        let role = self.role(claim(claims, &self.role))?;
        let partner_id = match claim(claims, &self.partner_id) {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
            Some(_) => return Err(bad(&self.partner_id, "not a string".into())),
        };
        let segments = strings(claim(claims, &self.segments))
            .map_err(|e| bad(&self.segments, e))?
            .iter()
            .map(|s| SegmentCode::parse(s).ok_or_else(|| bad("segment", format!("{s:?} unknown"))))
            .collect::<Result<Vec<_>, _>>()?;
        let partner_ids =
            strings(claim(claims, &self.partner_ids)).map_err(|e| bad(&self.partner_ids, e))?;
        let scopes = strings(claims.get("scope").or_else(|| claims.get("scp")))
            .map_err(|e| bad("scope", e))?
            .into_iter()
            .map(|s| {
                self.scope_values
                    .iter()
                    .find(|(from, _)| *from == s)
                    .map_or(s, |(_, to)| to.clone())
            })
            .collect();
        let viewer = Viewer {
            subject,
            role,
            partner_id,
            segments,
            partner_ids,
            scopes,
        };
        check_role_claims(&viewer)?;
        Ok(viewer)
    }

    /// One role: a string, or an array (groups, app roles) of which exactly one value is a
    /// cosell role. Two different roles are refused rather than guessed between.
    fn role(&self, value: Option<&Value>) -> Result<Role, Rejection> {
        let known = |v: &str| {
            self.role_values
                .iter()
                .find(|(from, _)| from == v)
                .map(|(_, role)| *role)
                .or_else(|| Role::parse(v))
        };
        let name = &self.role;
        match value {
            Some(Value::String(s)) => {
                known(s).ok_or_else(|| Rejection::claims(format!("{name}: unknown role {s:?}")))
            }
            Some(Value::Array(items)) => {
                let roles: Vec<Role> = items.iter().filter_map(|v| known(v.as_str()?)).collect();
                match roles.first() {
                    None => Err(Rejection::claims(format!("{name}: no cosell role"))),
                    Some(first) if roles.iter().all(|r| r == first) => Ok(*first),
                    Some(_) => Err(Rejection::claims(format!("{name}: several cosell roles"))),
                }
            }
            _ => Err(Rejection::claims(format!("{name}: missing"))),
        }
    }
}

/// A token's claims must fit its role: partner roles name their partner, and nothing else
/// grants them scope.
pub fn check_role_claims(viewer: &Viewer) -> Result<(), Rejection> {
    if viewer.subject.trim().is_empty() {
        return Err(Rejection::claims("empty subject".into()));
    }
    match viewer.role {
        Role::PartnerUser | Role::PartnerAdmin if viewer.partner_id.is_none() => {
            Err(Rejection::claims("partner roles need partner_id".into()))
        }
        _ => Ok(()),
    }
}

/// `FROM=TO,FROM=TO` pairs (role or scope values).
pub fn parse_pairs(s: &str) -> Result<Vec<(String, String)>, String> {
    s.split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|pair| {
            pair.rsplit_once('=')
                .map(|(from, to)| (from.trim().to_string(), to.trim().to_string()))
                .filter(|(from, to)| !from.is_empty() && !to.is_empty())
                .ok_or_else(|| format!("{pair:?} is not FROM=TO"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn map(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn pointers_reach_nested_claims_and_names_may_hold_slashes() {
        let claims = map(json!({
            "realm_access": { "roles": ["ADMIN"] },
            "https://cosell.example/role": "ADMIN",
        }));
        assert_eq!(
            claim(&claims, "/realm_access/roles"),
            Some(&json!(["ADMIN"]))
        );
        assert_eq!(
            claim(&claims, "https://cosell.example/role"),
            Some(&json!("ADMIN"))
        );
        assert_eq!(claim(&claims, "/missing/x"), None);
    }

    #[test]
    fn an_array_of_roles_must_hold_exactly_one_cosell_role() {
        let m = ClaimMap {
            role: "roles".into(),
            role_values: vec![("Cosell.Admin".into(), Role::Admin)],
            ..Default::default()
        };
        let role = |v: Value| m.role(Some(&v)).map_err(|r| r.detail);
        assert_eq!(role(json!(["Other", "Cosell.Admin"])), Ok(Role::Admin));
        assert_eq!(role(json!(["ADMIN", "Cosell.Admin"])), Ok(Role::Admin));
        assert!(role(json!(["Other"])).is_err());
        assert!(role(json!(["ADMIN", "AWS_SELLER"])).is_err());
        assert!(role(json!("nope")).is_err());
    }

    #[test]
    fn pairs_parse_and_refuse_what_is_not_a_pair() {
        assert_eq!(
            parse_pairs("a=B, https://x/y=C").unwrap(),
            vec![("a".into(), "B".into()), ("https://x/y".into(), "C".into())]
        );
        assert!(parse_pairs("a").is_err());
        assert!(parse_pairs("=B").is_err());
    }
}

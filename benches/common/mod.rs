//! What the benchmarks share: sizes from the environment and the ADMIN actor that writes
//! their data through the services.
use cosell::auth::Viewer;
use cosell::domain::enums::Role;

pub fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

pub fn admin() -> Viewer {
    Viewer {
        subject: "bench".into(),
        role: Role::Admin,
        partner_id: None,
        segments: Vec::new(),
        partner_ids: Vec::new(),
        scopes: vec!["cosell:read".into(), "cosell:write".into()],
    }
}

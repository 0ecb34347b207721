//! Which actions a role may take on an object it can already see (domain.md). Refusals here
//! are FORBIDDEN; objects the viewer cannot see are NOT_FOUND before these are asked.
use crate::auth::Viewer;
use crate::domain::enums::Role;
use crate::error::{AppError, AppResult};

pub fn create_partner(viewer: &Viewer) -> AppResult<()> {
    if viewer.role == Role::Admin {
        Ok(())
    } else {
        Err(AppError::Forbidden("only ADMIN may create partners".into()))
    }
}

/// The partner profile, its solutions and its references.
pub fn edit_partner_profile(viewer: &Viewer, partner_id: &str) -> AppResult<()> {
    match viewer.role {
        Role::Admin => Ok(()),
        Role::PartnerAdmin if viewer.own_partner() == Some(partner_id) => Ok(()),
        _ => Err(AppError::Forbidden(
            "only the partner's PARTNER_ADMIN or an ADMIN may change its profile, solutions and references".into(),
        )),
    }
}

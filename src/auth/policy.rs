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

/// Customers, contacts and opportunities of a partner: its own users, or an ADMIN.
pub fn edit_partner_data(viewer: &Viewer, partner_id: &str) -> AppResult<()> {
    match viewer.role {
        Role::Admin => Ok(()),
        Role::PartnerUser | Role::PartnerAdmin if viewer.own_partner() == Some(partner_id) => {
            Ok(())
        }
        _ => Err(AppError::Forbidden(
            "only the partner's own users or an ADMIN may change its customers and opportunities"
                .into(),
        )),
    }
}

/// The review workflow of submitted opportunities: a PARTNER_MANAGER of the partner, or ADMIN.
pub fn review_opportunity(viewer: &Viewer, partner_id: &str) -> AppResult<()> {
    match viewer.role {
        Role::Admin => Ok(()),
        Role::PartnerManager if viewer.partner_ids.iter().any(|p| p == partner_id) => Ok(()),
        _ => Err(AppError::Forbidden(
            "only a PARTNER_MANAGER of the partner or an ADMIN may review opportunities".into(),
        )),
    }
}

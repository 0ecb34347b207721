//! The verified identity of a request and its claims (docs/domain.md, "Who may do what").
use crate::domain::enums::{Role, SegmentCode};
use crate::error::AppError;
use crate::error::FieldCode;

pub const SCOPE_READ: &str = "cosell:read";
pub const SCOPE_WRITE: &str = "cosell:write";

#[derive(Clone, Debug)]
pub struct Viewer {
    pub subject: String,
    pub role: Role,
    /// The partner of PARTNER_USER and PARTNER_ADMIN.
    pub partner_id: Option<String>,
    /// The segments of an AWS_SELLER.
    pub segments: Vec<SegmentCode>,
    /// The partners a PARTNER_MANAGER manages.
    pub partner_ids: Vec<String>,
    pub scopes: Vec<String>,
}

impl Viewer {
    /// The viewer background work acts as: every partner's rows, `subject` as the history's
    /// actor (`ace` for the ACE sync, `cosell` for deadlines).
    pub fn background(subject: &str) -> Viewer {
        Viewer {
            subject: subject.to_string(),
            role: Role::Admin,
            partner_id: None,
            segments: Vec::new(),
            partner_ids: Vec::new(),
            scopes: vec![SCOPE_READ.into(), SCOPE_WRITE.into()],
        }
    }

    /// Queries need `cosell:read`. A mutation needs `cosell:write` only: what it returns is
    /// the object the caller has just written.
    pub fn can_read(&self) -> bool {
        self.scopes.iter().any(|s| s == SCOPE_READ)
    }

    pub fn can_write(&self) -> bool {
        self.scopes.iter().any(|s| s == SCOPE_WRITE)
    }

    pub fn is_partner_side(&self) -> bool {
        matches!(self.role, Role::PartnerUser | Role::PartnerAdmin)
    }

    /// Partner-private notes are for the partner's own people (and ADMIN), never AWS-side.
    pub fn sees_internal_notes(&self) -> bool {
        self.is_partner_side() || self.is_admin()
    }

    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }

    /// The partner a partner-side viewer acts for.
    pub fn own_partner(&self) -> Option<&str> {
        if self.is_partner_side() {
            self.partner_id.as_deref()
        } else {
            None
        }
    }

    /// Which partner a create mutation writes for: partner roles always their own (an explicit
    /// `partnerId` naming another partner is refused), ADMIN the one it names.
    pub fn target_partner(&self, requested: Option<&str>) -> Result<String, AppError> {
        match (self.own_partner(), requested) {
            (Some(own), None) => Ok(own.to_string()),
            (Some(own), Some(asked)) if asked == own => Ok(own.to_string()),
            (Some(_), Some(_)) => Err(AppError::NotFound("partner")),
            (None, Some(asked)) if self.is_admin() => Ok(asked.to_string()),
            (None, None) if self.is_admin() => Err(AppError::bad_field(
                "input.partnerId",
                FieldCode::RequiredFieldMissing,
                "ADMIN must name the partner",
            )),
            (None, _) => Err(AppError::Forbidden(format!(
                "{} cannot do this",
                self.role_name()
            ))),
        }
    }

    pub fn role_name(&self) -> &'static str {
        use crate::domain::enums::StoredEnum;
        self.role.as_str()
    }
}

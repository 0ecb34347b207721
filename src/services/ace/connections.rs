//! Connecting a partner to ACE, disconnecting it, and importing its ACE solutions.
use super::{CONNECTED, DISCONNECTED, client_connection, connection_row};
use crate::ace::{AceClients, AceError, Catalog, Connection};
use crate::auth::{Viewer, policy};
use crate::data;
use crate::domain::enums::ChangeAction;
use crate::domain::ids::IdKind;
use crate::error::{AppError, AppResult, FieldCode};
use crate::services::history::Diff;
use entity::{ace_connection, partner, solution};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, IntoActiveModel, QueryFilter,
    Set,
};

pub struct ConnectAce {
    pub catalog: Catalog,
    pub role_arn: Option<String>,
}

/// `arn:aws:iam::<12 digits>:role/<path and name>` (also the GovCloud and China partitions).
fn valid_role_arn(arn: &str) -> bool {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    parts.len() == 6
        && parts[0] == "arn"
        && matches!(parts[1], "aws" | "aws-us-gov" | "aws-cn")
        && parts[2] == "iam"
        && parts[3].is_empty()
        && parts[4].len() == 12
        && parts[4].bytes().all(|b| b.is_ascii_digit())
        && parts[5]
            .strip_prefix("role/")
            .is_some_and(|name| !name.is_empty() && name.len() <= 512)
        && arn.chars().all(|c| c.is_ascii_graphic())
}

/// The sentence a partner admin can act on, for ACE's refusal of the check.
fn check_failure(err: &AceError) -> String {
    match err {
        AceError::AccessDenied(m) => format!(
            "ACE refused the connection: {m}. Check the role's trust policy (external id) and its permissions"
        ),
        AceError::Unavailable(m) | AceError::Throttled(m) => {
            format!("ACE could not be reached to check the connection ({m}); try again")
        }
        other => format!("ACE refused the connection: {other}"),
    }
}

pub async fn connect(
    db: &DatabaseConnection,
    clients: &AceClients,
    viewer: &Viewer,
    partner_id: &str,
    input: ConnectAce,
) -> AppResult<partner::Model> {
    let role_arn = input
        .role_arn
        .map(|r| r.trim().to_string())
        .filter(|r| !r.is_empty());
    if let Some(arn) = &role_arn
        && !valid_role_arn(arn)
    {
        return Err(AppError::bad_field(
            "input.roleArn",
            FieldCode::InvalidStringFormat,
            "must be an IAM role ARN such as arn:aws:iam::123456789012:role/cosell-ace",
        ));
    }
    let partner = data::partners::find(db, viewer, partner_id)
        .await?
        .ok_or(AppError::NotFound("partner"))?;
    policy::edit_partner_profile(viewer, &partner.id)?;
    // The external id is made once per partner, before the first check, so the partner can
    // put it in the role's trust policy even when that first check fails.
    let external_id = match connection_row(db, &partner.id).await? {
        Some(row) => row.external_id,
        None => {
            let id = format!("cosell-{}", uuid::Uuid::new_v4().simple());
            let now = crate::domain::now();
            ace_connection::ActiveModel {
                partner_id: Set(partner.id.clone()),
                external_id: Set(id.clone()),
                catalog: Set(input.catalog.code().into()),
                role_arn: Set(role_arn.clone()),
                status: Set(DISCONNECTED.into()),
                connected_at: Set(now),
                last_polled_at: Set(None),
                last_error: Set(None),
                opportunity_cursor: Set(None),
                lease_holder: Set(None),
                lease_until: Set(None),
                updated_at: Set(now),
            }
            .insert(db)
            .await?;
            id
        }
    };
    let connection = Connection {
        partner_id: partner.id.clone(),
        catalog: input.catalog,
        role_arn: role_arn.clone(),
        external_id,
    };
    if let Err(err) = clients.client(&connection).await.check().await {
        tracing::info!(partner = %partner.id, error = %err, "ACE connection check failed");
        return Err(AppError::bad_field(
            if role_arn.is_some() {
                "input.roleArn"
            } else {
                "input.catalog"
            },
            FieldCode::InvalidValue,
            check_failure(&err),
        ));
    }
    let txn = crate::db::begin_write(db).await?;
    let current = connection_row(&txn, &partner.id)
        .await?
        .ok_or_else(|| AppError::internal("connection row vanished"))?;
    let mut diff = Diff::default();
    diff.field(
        "aceConnection.status",
        &current.status,
        &CONNECTED.to_string(),
    );
    diff.field(
        "aceConnection.catalog",
        &current.catalog,
        &input.catalog.code().to_string(),
    );
    diff.field("aceConnection.roleArn", &current.role_arn, &role_arn);
    let now = crate::domain::now();
    let mut row = current.into_active_model();
    row.catalog = Set(input.catalog.code().into());
    row.role_arn = Set(role_arn);
    row.status = Set(CONNECTED.into());
    row.connected_at = Set(now);
    row.last_error = Set(None);
    row.updated_at = Set(now);
    row.update(&txn).await?;
    diff.record(
        &txn,
        viewer,
        &partner.id,
        ("Partner", &partner.id),
        ChangeAction::Updated,
    )
    .await?;
    txn.commit().await?;
    Ok(partner)
}

pub async fn disconnect(
    db: &DatabaseConnection,
    viewer: &Viewer,
    partner_id: &str,
) -> AppResult<partner::Model> {
    let txn = crate::db::begin_write(db).await?;
    let partner = data::partners::find(&txn, viewer, partner_id)
        .await?
        .ok_or(AppError::NotFound("partner"))?;
    policy::edit_partner_profile(viewer, &partner.id)?;
    let current = connection_row(&txn, &partner.id)
        .await?
        .filter(|c| c.status != DISCONNECTED)
        .ok_or_else(|| {
            AppError::invalid_state("aceConnection", "the partner is not connected to ACE")
        })?;
    let mut diff = Diff::default();
    diff.field(
        "aceConnection.status",
        &current.status,
        &DISCONNECTED.to_string(),
    );
    let mut row = current.into_active_model();
    row.status = Set(DISCONNECTED.into());
    row.lease_holder = Set(None);
    row.lease_until = Set(None);
    row.updated_at = Set(crate::domain::now());
    row.update(&txn).await?;
    diff.record(
        &txn,
        viewer,
        &partner.id,
        ("Partner", &partner.id),
        ChangeAction::Updated,
    )
    .await?;
    txn.commit().await?;
    Ok(partner)
}

/// Pages through ListSolutions and creates or updates the partner's solutions by ACE id. A
/// local solution of the same name (ignoring case) that has no ACE id yet is linked instead
/// of duplicated.
pub async fn import_solutions(
    db: &DatabaseConnection,
    clients: &AceClients,
    viewer: &Viewer,
    partner_id: &str,
) -> AppResult<Vec<solution::Model>> {
    let partner = data::partners::find(db, viewer, partner_id)
        .await?
        .ok_or(AppError::NotFound("partner"))?;
    policy::edit_partner_profile(viewer, &partner.id)?;
    let row = super::live_connection(db, &partner.id)
        .await?
        .ok_or_else(|| {
            AppError::invalid_state(
                "aceConnection",
                "connect the partner to ACE first (connectAce)",
            )
        })?;
    let client = clients.client(&client_connection(&row)?).await;
    let found = client.solutions().await.map_err(|err| {
        tracing::info!(partner = %partner.id, error = %err, "ListSolutions failed");
        match err {
            AceError::Throttled(_) | AceError::Unavailable(_) => {
                AppError::Unavailable(format!("ACE: {err}"))
            }
            other => AppError::invalid_state("aceConnection", other.to_string()),
        }
    })?;

    let txn = crate::db::begin_write(db).await?;
    let existing = solution::Entity::find()
        .filter(solution::Column::PartnerId.eq(&partner.id))
        .all(&txn)
        .await?;
    let mut out = Vec::new();
    for s in found {
        use crate::domain::enums::{SolutionCategory, SolutionStatus, StoredEnum};
        // The contract's enums hold every value cosell can show; a solution of a category
        // outside them (ACE's list grows) is left out rather than shown under a wrong one.
        let (Some(category), Some(status)) = (
            SolutionCategory::parse(&s.category),
            SolutionStatus::parse(&s.status),
        ) else {
            tracing::warn!(partner = %partner.id, solution = %s.id, category = %s.category,
                "ACE solution of a category or status cosell does not know: not imported");
            continue;
        };
        let (category, status) = (category.as_str().to_string(), status.as_str().to_string());
        let same_id = existing
            .iter()
            .find(|e| e.ace_solution_id.as_deref() == Some(s.id.as_str()));
        let same_name = || {
            existing.iter().find(|e| {
                e.ace_solution_id.is_none() && e.name.to_lowercase() == s.name.to_lowercase()
            })
        };
        let now = crate::domain::now();
        let model = match same_id.or_else(same_name) {
            Some(local) => {
                let mut diff = Diff::default();
                diff.field("name", &local.name, &s.name);
                diff.field("aceSolutionId", &local.ace_solution_id, &Some(s.id.clone()));
                diff.field("status", &local.status, &status.to_string());
                let mut m = local.clone().into_active_model();
                m.name = Set(s.name.clone());
                m.category = Set(category.clone());
                m.status = Set(status.clone());
                m.aws_marketplace_solution_arn = Set(s
                    .marketplace_arn
                    .clone()
                    .or(local.aws_marketplace_solution_arn.clone()));
                m.ace_solution_id = Set(Some(s.id.clone()));
                m.updated_at = Set(now);
                let updated = m.update(&txn).await?;
                if !diff.is_empty() {
                    diff.record(
                        &txn,
                        viewer,
                        &partner.id,
                        ("Solution", &updated.id),
                        ChangeAction::Updated,
                    )
                    .await?;
                }
                updated
            }
            None => {
                let created = solution::ActiveModel {
                    id: Set(IdKind::Solution.new_id()),
                    partner_id: Set(partner.id.clone()),
                    name: Set(s.name.clone()),
                    description: Set(None),
                    category: Set(category),
                    status: Set(status),
                    aws_marketplace_solution_arn: Set(s.marketplace_arn.clone()),
                    ace_solution_id: Set(Some(s.id.clone())),
                    created_at: Set(now),
                    updated_at: Set(now),
                }
                .insert(&txn)
                .await?;
                let mut diff = Diff::default();
                diff.field("name", &None::<String>, &Some(created.name.clone()));
                diff.field("aceSolutionId", &None::<String>, &Some(s.id.clone()));
                diff.record(
                    &txn,
                    viewer,
                    &partner.id,
                    ("Solution", &created.id),
                    ChangeAction::Created,
                )
                .await?;
                created
            }
        };
        out.push(model);
    }
    txn.commit().await?;
    Ok(out)
}

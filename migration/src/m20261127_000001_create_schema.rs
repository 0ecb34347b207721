//! The whole data model of the contract, including tables whose API arrives in later slices.
//!
//! Conventions: ids are opaque `TEXT` keys made by the server (`<prefix>_<uuid v7>`); enum
//! columns hold the exact ACE string (or the contract's code where ACE has no such concept);
//! money is stored as integer cents beside its ISO currency code, so sums stay exact on both
//! databases; lists that are never filtered on are JSON arrays.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Tables in creation order; dropped in reverse.
const TABLES: &[&str] = &[
    "segment",
    "partner",
    "partner_segment",
    "partner_industry",
    "solution",
    "customer_reference",
    "customer",
    "contact",
    "opportunity",
    "opportunity_solution",
    "opportunity_primary_need",
    "next_step",
    "ask",
    "ask_comment",
    "referral",
    "change_log",
    "idempotency_key",
];

fn id() -> ColumnDef {
    string("id").primary_key().take()
}

fn fk(
    table: &'static str,
    col: &'static str,
    target: &'static str,
    cascade: bool,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(format!("fk_{table}_{col}"))
        .from(table, col)
        .to(target, if target == "segment" { "code" } else { "id" })
        .on_delete(if cascade {
            ForeignKeyAction::Cascade
        } else {
            ForeignKeyAction::Restrict
        })
        .take()
}

fn index(table: &'static str, cols: &[&'static str], unique: bool) -> IndexCreateStatement {
    let mut stmt = Index::create();
    stmt.name(format!(
        "{}_{}_{}",
        if unique { "uq" } else { "ix" },
        table,
        cols.join("_")
    ))
    .table(table);
    for col in cols {
        stmt.col(*col);
    }
    if unique {
        stmt.unique();
    }
    stmt.take()
}

fn created_updated(t: &mut TableCreateStatement) -> &mut TableCreateStatement {
    t.col(timestamp_with_time_zone("created_at"))
        .col(timestamp_with_time_zone("updated_at"))
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let tables = [
            Table::create()
                .table("segment")
                .col(string("code").primary_key())
                .col(string("segment_group"))
                .col(string("name"))
                .col(string("abbreviation"))
                .col(text("description"))
                .col(integer("position"))
                .take(),
            created_updated(
                Table::create()
                    .table("partner")
                    .col(id())
                    .col(string("name"))
                    // Lower-cased name: names are unique ignoring case.
                    .col(string("name_key"))
                    .col(string_null("website_url"))
                    .col(text_null("value_proposition")),
            )
            .take(),
            Table::create()
                .table("partner_segment")
                .col(string("partner_id"))
                .col(string("segment_code"))
                .primary_key(Index::create().col("partner_id").col("segment_code"))
                .foreign_key(&mut fk("partner_segment", "partner_id", "partner", true))
                .foreign_key(&mut fk("partner_segment", "segment_code", "segment", false))
                .take(),
            Table::create()
                .table("partner_industry")
                .col(string("partner_id"))
                .col(string("industry"))
                .primary_key(Index::create().col("partner_id").col("industry"))
                .foreign_key(&mut fk("partner_industry", "partner_id", "partner", true))
                .take(),
            created_updated(
                Table::create()
                    .table("solution")
                    .col(id())
                    .col(string("partner_id"))
                    .col(string("name"))
                    .col(text_null("description"))
                    .col(string("category"))
                    .col(string("status"))
                    .col(string_null("aws_marketplace_solution_arn"))
                    .foreign_key(&mut fk("solution", "partner_id", "partner", false)),
            )
            .take(),
            Table::create()
                .table("customer_reference")
                .col(id())
                .col(string("partner_id"))
                .col(string("title"))
                .col(string("customer_name"))
                .col(string_null("segment_code"))
                .col(text("summary"))
                .col(string_null("url"))
                .col(date_null("published_on"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk(
                    "customer_reference",
                    "partner_id",
                    "partner",
                    false,
                ))
                .foreign_key(&mut fk(
                    "customer_reference",
                    "segment_code",
                    "segment",
                    false,
                ))
                .take(),
            created_updated(
                Table::create()
                    .table("customer")
                    .col(id())
                    .col(string("partner_id"))
                    .col(string("company_name"))
                    .col(string("industry"))
                    .col(string_null("other_industry"))
                    .col(string_null("website_url"))
                    .col(string_null("country_code"))
                    .col(string_null("postal_code"))
                    .col(string_null("state_or_region"))
                    .col(string_null("city"))
                    .col(string_null("street_address"))
                    .col(string_null("duns"))
                    .col(string_null("aws_account_id"))
                    .col(string("segment_code"))
                    .col(string("aws_adoption"))
                    .col(text_null("internal_notes"))
                    .foreign_key(&mut fk("customer", "partner_id", "partner", false))
                    .foreign_key(&mut fk("customer", "segment_code", "segment", false)),
            )
            .take(),
            Table::create()
                .table("contact")
                .col(id())
                .col(string("customer_id"))
                .col(string("first_name"))
                .col(string("last_name"))
                .col(string_null("email"))
                .col(string_null("phone"))
                .col(string_null("business_title"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk("contact", "customer_id", "customer", true))
                .take(),
            Table::create()
                .table("opportunity")
                .col(id())
                .col(string("partner_id"))
                .col(string("customer_id"))
                .col(string("client_token"))
                .col(string_null("partner_opportunity_identifier"))
                .col(string("origin"))
                .col(string("opportunity_type"))
                .col(boolean("national_security"))
                .col(string("title"))
                .col(string("title_normalized"))
                .col(text("customer_business_problem"))
                .col(string_null("customer_use_case"))
                .col(json("delivery_models"))
                .col(big_integer_null("expected_monthly_spend_cents"))
                .col(string_null("expected_monthly_spend_currency"))
                .col(json("sales_activities"))
                .col(string_null("competitor_name"))
                .col(string_null("other_competitor_names"))
                .col(string_null("involvement_type"))
                .col(string_null("additional_comments"))
                .col(string("marketing_source"))
                .col(string_null("campaign_name"))
                .col(json("marketing_channels"))
                .col(json("marketing_use_cases"))
                .col(boolean_null("aws_funding_used"))
                .col(string("stage"))
                .col(string("review_status"))
                .col(text_null("review_comments"))
                .col(string_null("review_status_reason"))
                .col(date_null("target_close_date"))
                .col(string_null("next_steps"))
                .col(string_null("closed_lost_reason"))
                .col(boolean("customer_consent"))
                .col(boolean("partner_led"))
                .col(boolean("net_new_for_aws"))
                .col(text_null("internal_notes"))
                .col(json("aws_products"))
                .col(string_null("aws_marketplace_offer_arn"))
                .col(integer("version"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("last_modified_at"))
                .foreign_key(&mut fk("opportunity", "partner_id", "partner", false))
                .foreign_key(&mut fk("opportunity", "customer_id", "customer", false))
                .take(),
            Table::create()
                .table("opportunity_solution")
                .col(string("opportunity_id"))
                .col(string("solution_id"))
                .col(timestamp_with_time_zone("created_at"))
                .primary_key(Index::create().col("opportunity_id").col("solution_id"))
                .foreign_key(&mut fk(
                    "opportunity_solution",
                    "opportunity_id",
                    "opportunity",
                    true,
                ))
                .foreign_key(&mut fk(
                    "opportunity_solution",
                    "solution_id",
                    "solution",
                    false,
                ))
                .take(),
            Table::create()
                .table("opportunity_primary_need")
                .col(string("opportunity_id"))
                .col(string("primary_need"))
                .primary_key(Index::create().col("opportunity_id").col("primary_need"))
                .foreign_key(&mut fk(
                    "opportunity_primary_need",
                    "opportunity_id",
                    "opportunity",
                    true,
                ))
                .take(),
            Table::create()
                .table("next_step")
                .col(id())
                .col(string("opportunity_id"))
                .col(string("value"))
                .col(timestamp_with_time_zone("at"))
                .foreign_key(&mut fk("next_step", "opportunity_id", "opportunity", true))
                .take(),
            created_updated(
                Table::create()
                    .table("ask")
                    .col(id())
                    .col(string("partner_id"))
                    .col(string("opportunity_id"))
                    .col(string("kind"))
                    .col(string("status"))
                    .col(string("title"))
                    .col(text("details"))
                    .col(text("customer_outcome"))
                    .col(string("priority"))
                    .col(small_integer("priority_rank"))
                    .col(date_null("due_date"))
                    .col(string("requested_by"))
                    .col(string_null("assignee"))
                    .col(text_null("response"))
                    .col(json("stakeholders"))
                    .col(string_null("funding_program"))
                    .col(string_null("funding_type"))
                    .col(big_integer_null("funding_amount_cents"))
                    .col(string_null("funding_currency"))
                    .col(string_null("marketplace_offer_arn"))
                    .col(string_null("marketplace_listing_url"))
                    .col(text_null("marketplace_notes"))
                    .col(string_null("architecture_workload"))
                    .col(text_null("architecture_requirements"))
                    .col(timestamp_with_time_zone_null("resolved_at"))
                    .col(integer("version"))
                    .foreign_key(&mut fk("ask", "partner_id", "partner", false))
                    .foreign_key(&mut fk("ask", "opportunity_id", "opportunity", false)),
            )
            .take(),
            Table::create()
                .table("ask_comment")
                .col(id())
                .col(string("ask_id"))
                .col(string("author"))
                .col(text("body"))
                .col(timestamp_with_time_zone("at"))
                .foreign_key(&mut fk("ask_comment", "ask_id", "ask", true))
                .take(),
            created_updated(
                Table::create()
                    .table("referral")
                    .col(id())
                    .col(string("partner_id"))
                    .col(string("status"))
                    .col(string("sender_subject"))
                    .col(string("sender_name"))
                    .col(text("message"))
                    .col(string("company_name"))
                    .col(string("industry"))
                    .col(string("website_url"))
                    .col(string("country_code"))
                    .col(string("segment_code"))
                    .col(string("aws_adoption"))
                    .col(string_null("postal_code"))
                    .col(string_null("state_or_region"))
                    .col(string_null("city"))
                    .col(string_null("street_address"))
                    .col(json("customer_contacts"))
                    .col(string("project_title"))
                    .col(text("business_problem"))
                    .col(date("target_completion_date"))
                    .col(big_integer_null("expected_monthly_spend_cents"))
                    .col(string_null("expected_monthly_spend_currency"))
                    .col(timestamp_with_time_zone("expires_at"))
                    .col(string_null("rejection_reason"))
                    .col(string_null("opportunity_id"))
                    .foreign_key(&mut fk("referral", "partner_id", "partner", false))
                    .foreign_key(&mut fk("referral", "segment_code", "segment", false))
                    .foreign_key(&mut fk("referral", "opportunity_id", "opportunity", false)),
            )
            .take(),
            Table::create()
                .table("change_log")
                .col(id())
                .col(string("partner_id"))
                .col(string("entity_type"))
                .col(string("entity_id"))
                .col(string("actor"))
                .col(string("action"))
                .col(json("changes"))
                .col(timestamp_with_time_zone("at"))
                .foreign_key(&mut fk("change_log", "partner_id", "partner", false))
                .take(),
            Table::create()
                .table("idempotency_key")
                .col(string("partner_id"))
                .col(string("operation"))
                .col(string("client_token"))
                .col(string("request_hash"))
                .col(string("resource_id"))
                .col(timestamp_with_time_zone("created_at"))
                .primary_key(
                    Index::create()
                        .col("partner_id")
                        .col("operation")
                        .col("client_token"),
                )
                .foreign_key(&mut fk("idempotency_key", "partner_id", "partner", false))
                .take(),
        ];
        for table in tables {
            m.create_table(table).await?;
        }

        // Every filter and ordering of the contract, led by partner_id for tenant-scoped lookups.
        let indexes = [
            index("segment", &["position"], true),
            index("partner", &["name_key"], true),
            index("partner", &["name"], false),
            index("partner_segment", &["segment_code", "partner_id"], false),
            index("partner_industry", &["industry", "partner_id"], false),
            index("solution", &["partner_id", "name"], true),
            index("solution", &["partner_id", "status"], false),
            index("customer_reference", &["partner_id", "created_at"], false),
            index("customer", &["partner_id", "company_name"], true),
            index("customer", &["partner_id", "segment_code"], false),
            index("customer", &["partner_id", "industry"], false),
            index("customer", &["partner_id", "aws_adoption"], false),
            index("customer", &["partner_id", "created_at"], false),
            index("customer", &["partner_id", "updated_at"], false),
            index("customer", &["segment_code"], false),
            index("contact", &["customer_id"], false),
            index("opportunity", &["partner_id", "client_token"], true),
            index("opportunity", &["partner_id", "last_modified_at"], false),
            index("opportunity", &["partner_id", "created_at"], false),
            index("opportunity", &["partner_id", "target_close_date"], false),
            index("opportunity", &["partner_id", "title"], false),
            index(
                "opportunity",
                &["partner_id", "expected_monthly_spend_cents"],
                false,
            ),
            index("opportunity", &["partner_id", "stage"], false),
            index("opportunity", &["partner_id", "review_status"], false),
            index("opportunity", &["partner_id", "origin"], false),
            index(
                "opportunity",
                &["partner_id", "customer_id", "title_normalized"],
                false,
            ),
            index("opportunity", &["customer_id"], false),
            index("opportunity", &["review_status", "last_modified_at"], false),
            index("opportunity_solution", &["solution_id"], false),
            index(
                "opportunity_primary_need",
                &["primary_need", "opportunity_id"],
                false,
            ),
            index("next_step", &["opportunity_id", "at"], false),
            index("ask", &["partner_id", "status"], false),
            index("ask", &["partner_id", "kind"], false),
            index("ask", &["partner_id", "created_at"], false),
            index("ask", &["partner_id", "updated_at"], false),
            index("ask", &["partner_id", "due_date"], false),
            index("ask", &["partner_id", "priority_rank"], false),
            index("ask", &["opportunity_id", "status"], false),
            index("ask", &["assignee"], false),
            index("ask_comment", &["ask_id", "at"], false),
            index("referral", &["partner_id", "status", "created_at"], false),
            index("referral", &["status", "expires_at"], false),
            index("referral", &["opportunity_id"], false),
            index("change_log", &["entity_id", "at"], false),
            index("change_log", &["partner_id", "at"], false),
        ];
        for idx in indexes {
            m.create_index(idx).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in TABLES.iter().rev() {
            m.drop_table(Table::drop().table(*table).take()).await?;
        }
        Ok(())
    }
}

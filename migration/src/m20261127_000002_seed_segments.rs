//! The segment catalogue of docs/domain.md: data, not code, so later descriptions can change by migration.
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const SEGMENTS: &[(&str, &str, &str, &str, &str)] = &[
    (
        "DIGITAL_NATIVE_BUSINESS",
        "COMMERCIAL",
        "Digital Native Business",
        "DNB",
        "Consumer-facing companies born in the cloud, B2C; small or medium migrations.",
    ),
    (
        "ENTERPRISE",
        "COMMERCIAL",
        "Enterprise",
        "ENT",
        "Large and mid-size companies with big legacy on-premises or hybrid estates that need modernisation.",
    ),
    (
        "ISV",
        "COMMERCIAL",
        "Independent Software Vendor",
        "ISV",
        "Companies that build and sell software, B2B; licences and subscriptions are at least half of revenue.",
    ),
    (
        "STARTUP",
        "COMMERCIAL",
        "Startup",
        "STARTUP",
        "Under 15 years old and backed by angels, universities, accelerators or venture capital.",
    ),
    (
        "SMB",
        "COMMERCIAL",
        "Small and Medium Business",
        "SMB",
        "Customers in no other segment, including resellers who extend AWS's reach.",
    ),
    (
        "GOVERNMENT",
        "PUBLIC_SECTOR",
        "Government",
        "GOV",
        "Government agencies with strict security and compliance needs (FedRAMP, FIPS).",
    ),
    (
        "EDUCATION",
        "PUBLIC_SECTOR",
        "Education",
        "EDU",
        "Higher education, school districts and EdTech.",
    ),
    (
        "NONPROFIT",
        "PUBLIC_SECTOR",
        "Nonprofit",
        "NPO",
        "Non-profit organisations.",
    ),
    (
        "HEALTHCARE",
        "PUBLIC_SECTOR",
        "Healthcare",
        "HCLS",
        "Public healthcare organisations.",
    ),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let mut insert = Query::insert();
        insert.into_table("segment").columns([
            "code",
            "segment_group",
            "name",
            "abbreviation",
            "description",
            "position",
        ]);
        for (position, (code, group, name, abbreviation, description)) in
            SEGMENTS.iter().enumerate()
        {
            insert.values_panic([
                (*code).into(),
                (*group).into(),
                (*name).into(),
                (*abbreviation).into(),
                (*description).into(),
                (position as i32).into(),
            ]);
        }
        m.exec_stmt(insert).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.exec_stmt(Query::delete().from_table("segment").take())
            .await
    }
}

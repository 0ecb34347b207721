//! `cosell seed-demo`: a realistic demo data set, written through the same services as the API.
use sea_orm::DatabaseConnection;

pub async fn run(
    _db: &DatabaseConnection,
) -> Result<String, Box<dyn std::error::Error + Send + Sync>> {
    Ok("nothing seeded yet".into())
}

//! Migrations run down and up again on the test database (SQLite or PostgreSQL).
use crate::helpers::TestApp;
use migration::{Migrator, MigratorTrait};
use serde_json::json;

#[tokio::test]
async fn migrations_roll_back_and_reapply() {
    let app = TestApp::spawn().await;
    app.create_partner("Before rollback").await;
    assert!(
        Migrator::get_pending_migrations(&app.db)
            .await
            .unwrap()
            .is_empty()
    );

    Migrator::down(&app.db, None)
        .await
        .expect("roll back every migration");
    assert_eq!(
        Migrator::get_pending_migrations(&app.db)
            .await
            .unwrap()
            .len(),
        Migrator::migrations().len()
    );
    let gone = app
        .gql(&app.admin(), "{ segments { code } }", json!({}))
        .await;
    assert_eq!(gone.code(), "INTERNAL", "no tables left to read");

    Migrator::up(&app.db, None)
        .await
        .expect("apply every migration again");
    let segments = app
        .gql(
            &app.admin(),
            "{ segments { code } partners { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(segments.data()["segments"].as_array().unwrap().len(), 9);
    assert_eq!(
        segments.data()["partners"]["totalCount"],
        0,
        "rolled back to an empty database"
    );
    app.create_partner("After reapply").await;
}

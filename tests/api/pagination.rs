//! Keyset pagination, totals and filters of `partners`.
use crate::helpers::TestApp;
use serde_json::{Value, json};

const PAGE: &str = "query($first: Int, $after: String, $filter: PartnerFilter) {
  partners(first: $first, after: $after, filter: $filter) {
    totalCount
    edges { cursor node { name } }
    nodes { name }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}";

fn names(v: &Value) -> Vec<String> {
    v["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["name"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn pages_walk_every_partner_once_in_name_order() {
    let app = TestApp::spawn().await;
    let all = [
        "Echo", "Alpha", "Delta", "Bravo", "Charlie", "Foxtrot", "Golf",
    ];
    for name in all {
        app.create_partner(name).await;
    }
    let admin = app.admin();
    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    let mut pages = 0;
    loop {
        let r = app
            .gql(&admin, PAGE, json!({ "first": 3, "after": after }))
            .await;
        let page = r.data()["partners"].clone();
        assert_eq!(page["totalCount"], 7);
        assert_eq!(
            page["edges"].as_array().unwrap().len(),
            page["nodes"].as_array().unwrap().len()
        );
        assert_eq!(page["pageInfo"]["hasPreviousPage"], after.is_some());
        seen.extend(names(&page));
        pages += 1;
        if page["pageInfo"]["hasNextPage"] == false {
            break;
        }
        assert_eq!(page["pageInfo"]["endCursor"], page["edges"][2]["cursor"]);
        after = page["pageInfo"]["endCursor"].as_str().map(str::to_string);
    }
    assert_eq!(pages, 3);
    assert_eq!(
        seen,
        [
            "Alpha", "Bravo", "Charlie", "Delta", "Echo", "Foxtrot", "Golf"
        ]
    );
}

#[tokio::test]
async fn filters_narrow_the_list_and_the_total() {
    let app = TestApp::spawn().await;
    let admin = app.admin();
    for (name, segments) in [
        ("Cloud Health", json!(["HEALTHCARE"])),
        ("Cloud Ed", json!(["EDUCATION", "HEALTHCARE"])),
        ("Data 100%", json!([])),
    ] {
        app.gql(
            &admin,
            "mutation($input: CreatePartnerInput!) { createPartner(input: $input) { id } }",
            json!({ "input": { "name": name, "segments": segments } }),
        )
        .await
        .data();
    }
    let search = app
        .gql(&admin, PAGE, json!({ "filter": { "search": "CLOUD" } }))
        .await;
    assert_eq!(
        names(&search.data()["partners"]),
        ["Cloud Ed", "Cloud Health"]
    );
    assert_eq!(search.data()["partners"]["totalCount"], 2);
    let wildcard = app
        .gql(&admin, PAGE, json!({ "filter": { "search": "%" } }))
        .await;
    assert_eq!(
        names(&wildcard.data()["partners"]),
        ["Data 100%"],
        "LIKE wildcards are literal"
    );
    let segment = app
        .gql(
            &admin,
            PAGE,
            json!({ "filter": { "segment": ["EDUCATION"] } }),
        )
        .await;
    assert_eq!(names(&segment.data()["partners"]), ["Cloud Ed"]);
    let both = app
        .gql(
            &admin,
            PAGE,
            json!({ "filter": { "segment": ["HEALTHCARE"], "search": "health" } }),
        )
        .await;
    assert_eq!(names(&both.data()["partners"]), ["Cloud Health"]);
}

#[tokio::test]
async fn a_foreign_cursor_is_bad_input() {
    let app = TestApp::spawn().await;
    for cursor in ["not-base64!", "bm90IGpzb24", "e30"] {
        let r = app
            .gql(&app.admin(), PAGE, json!({ "after": cursor }))
            .await;
        assert_eq!(r.code(), "BAD_USER_INPUT", "{cursor}");
        assert_eq!(r.fields()[0].0, "after");
    }
}

#[tokio::test]
async fn an_empty_page_has_no_cursors() {
    let app = TestApp::spawn().await;
    let r = app.gql(&app.admin(), PAGE, json!({ "first": 0 })).await;
    assert_eq!(
        r.data()["partners"]["pageInfo"],
        json!({ "hasNextPage": false, "hasPreviousPage": false, "startCursor": null, "endCursor": null })
    );
}

#[tokio::test]
async fn nested_fields_cost_the_same_statements_for_any_page_size() {
    let app = TestApp::spawn_for_counting().await;
    for i in 0..30 {
        let p = app.create_partner(&format!("Partner {i:02}")).await;
        app.create_solution(&p, "Solution A", "ACTIVE").await;
        app.create_solution(&p, "Solution B", "DRAFT").await;
        app.add_reference(&p, "Reference").await;
    }
    let query = "query($first: Int) { partners(first: $first) { totalCount nodes {
        id name segments industries
        solutions { name partner { name } }
        references { title }
        referralReadiness { score checks { name passed } }
    } } }";
    let (small, small_cost) = app
        .gql_counted(&app.admin(), query, json!({ "first": 3 }))
        .await;
    let (large, large_cost) = app
        .gql_counted(&app.admin(), query, json!({ "first": 30 }))
        .await;
    assert_eq!(
        small.data()["partners"]["nodes"].as_array().unwrap().len(),
        3
    );
    assert_eq!(
        large.data()["partners"]["nodes"].as_array().unwrap().len(),
        30
    );
    assert_eq!(
        large.data()["partners"]["nodes"][29]["solutions"][1]["partner"]["name"],
        "Partner 29"
    );
    assert_eq!(
        small_cost, large_cost,
        "statements must not grow with the page"
    );
    // page + total + segments + industries + solutions + their partners + references + 4
    // counts; on PostgreSQL the total asks the planner's estimate first (one EXPLAIN more).
    let budget = if crate::helpers::on_postgres() {
        12
    } else {
        11
    };
    assert!(
        large_cost <= budget,
        "a page of 30 partners cost {large_cost} statements"
    );
    println!("partners page of 30 with nested fields: {large_cost} SQL statements");
}

/// `partners { opportunities { asks } customers { opportunities } }`: each level's pages for
/// every parent come from one statement (and one grouped count for `totalCount`), whatever
/// the number of parents.
#[tokio::test]
async fn nested_connections_cost_one_statement_per_level() {
    let app = TestApp::spawn_for_counting().await;
    let mut partners = Vec::new();
    for p in 0..4 {
        let partner = app.create_partner(&format!("Nested {p}")).await;
        for o in 0..3 {
            let ready = app
                .shared_opportunity(&partner, &format!("Deal {p}-{o}"))
                .await;
            for _ in 0..2 {
                app.create_ask(&app.admin(), &ready.opportunity, "STAKEHOLDER_ALIGNMENT")
                    .await;
            }
        }
        partners.push(partner);
    }
    let query =
        "query($first: Int) { partners(first: $first, filter: { search: \"Nested\" }) { nodes {
        id
        opportunities(first: 2) { totalCount pageInfo { hasNextPage } nodes {
            id partner { id }
            asks(first: 1) { totalCount pageInfo { hasNextPage } nodes { id opportunity { id } } }
            history(first: 1) { totalCount pageInfo { hasNextPage } nodes { action } }
        } }
        customers(first: 2) { totalCount nodes { id opportunities(first: 1) { nodes { id customer { id } } } } }
    } } }";
    let (one, one_cost) = app
        .gql_counted(&app.admin(), query, json!({ "first": 1 }))
        .await;
    let (all, all_cost) = app
        .gql_counted(&app.admin(), query, json!({ "first": 4 }))
        .await;
    assert_eq!(one.data()["partners"]["nodes"].as_array().unwrap().len(), 1);
    let nodes = all.data()["partners"]["nodes"].as_array().unwrap().clone();
    assert_eq!(nodes.len(), 4);
    for p in &nodes {
        let opportunities = &p["opportunities"];
        assert_eq!(opportunities["totalCount"], 3, "{p:#}");
        assert_eq!(opportunities["pageInfo"]["hasNextPage"], true);
        let list = opportunities["nodes"].as_array().unwrap();
        assert_eq!(list.len(), 2);
        for o in list {
            assert_eq!(
                o["partner"]["id"], p["id"],
                "an opportunity under its own partner"
            );
            assert_eq!(o["asks"]["totalCount"], 2);
            assert_eq!(o["asks"]["pageInfo"]["hasNextPage"], true);
            assert_eq!(o["asks"]["nodes"].as_array().unwrap().len(), 1);
            assert_eq!(o["asks"]["nodes"][0]["opportunity"]["id"], o["id"]);
            // Created, then moved to SUBMITTED: newest first.
            assert!(o["history"]["totalCount"].as_i64().unwrap() >= 2, "{o:#}");
            assert_eq!(o["history"]["pageInfo"]["hasNextPage"], true);
            assert_eq!(o["history"]["nodes"].as_array().unwrap().len(), 1);
        }
    }
    for p in &nodes {
        assert_eq!(p["customers"]["totalCount"], 3);
        for c in p["customers"]["nodes"].as_array().unwrap() {
            let under = c["opportunities"]["nodes"].as_array().unwrap();
            assert_eq!(under.len(), 1);
            assert_eq!(under[0]["customer"]["id"], c["id"]);
        }
    }
    // The nested first page is the same page the list under one parent gives.
    let alone = app
        .gql(
            &app.admin(),
            "query($p: ID!) { partner(id: $p) { opportunities(first: 2) { nodes { id } } } }",
            json!({ "p": nodes[2]["id"] }),
        )
        .await;
    assert_eq!(
        alone.data()["partner"]["opportunities"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["id"].clone())
            .collect::<Vec<_>>(),
        nodes[2]["opportunities"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["id"].clone())
            .collect::<Vec<_>>()
    );
    assert_eq!(
        one_cost, all_cost,
        "statements must not grow with the parents"
    );
    // partners; opportunities + counts; their partners; asks + counts; their opportunities;
    // histories + counts; customers + counts; their opportunities; those opportunities'
    // customers
    assert!(all_cost <= 13, "{all_cost} statements");
    println!(
        "partners → opportunities → asks, partners → customers → opportunities: {all_cost} SQL statements"
    );
}

/// The dashboards front-ends ask for pass the cost budget and stay a few statements: 12
/// partners × 20 opportunities × their asks, and 10 × 50.
#[tokio::test]
async fn dashboard_sized_nested_queries_pass_in_a_few_statements() {
    let app = TestApp::spawn_for_counting().await;
    for p in 0..2 {
        let partner = app.create_partner(&format!("Dashboard {p}")).await;
        let ready = app.shared_opportunity(&partner, &format!("Deal {p}")).await;
        app.create_ask(&app.admin(), &ready.opportunity, "STAKEHOLDER_ALIGNMENT")
            .await;
    }
    for (partners, opportunities) in [(12, 20), (10, 50)] {
        let query = format!(
            "{{ partners(first: {partners}) {{ nodes {{ id name
                opportunities(first: {opportunities}) {{ totalCount nodes {{ id title stage reviewStatus
                    customer {{ companyName }}
                    asks {{ totalCount nodes {{ id title status kind }} }}
                }} }}
            }} }} }}"
        );
        let (r, cost) = app.gql_counted(&app.admin(), &query, json!({})).await;
        let nodes = r.data()["partners"]["nodes"].as_array().unwrap().clone();
        assert_eq!(nodes.len(), 2, "{}", r.body);
        assert_eq!(
            nodes[0]["opportunities"]["nodes"][0]["asks"]["totalCount"],
            1
        );
        // partners; opportunities + counts; customers; asks + counts
        assert!(cost <= 6, "{partners} × {opportunities}: {cost} statements");
    }
}

/// On PostgreSQL a nested level's statement reads the parents from one array parameter, so
/// its text is the same for 2 parents as for 3: it is parsed once per connection and planned
/// generically, where a statement per parent count cost tens of milliseconds to plan.
#[tokio::test]
async fn nested_page_statement_is_the_same_whatever_the_number_of_parents() {
    if !crate::helpers::on_postgres() {
        return;
    }
    let app = TestApp::spawn_for_counting().await;
    for p in 0..3 {
        let partner = app.create_partner(&format!("Shape {p}")).await;
        app.shared_opportunity(&partner, &format!("Shape deal {p}"))
            .await;
    }
    let query =
        "query($first: Int) { partners(first: $first, filter: { search: \"Shape\" }) { nodes {
        opportunities(first: 1) { nodes { id } } } } }";
    let opportunities_statement = |sql: &[String]| {
        sql.iter()
            .find(|s| s.contains("LATERAL") && s.contains("\"opportunity\""))
            .cloned()
            .unwrap_or_else(|| panic!("no LATERAL statement over opportunities in {sql:#?}"))
    };
    let (two, two_sql) = app
        .gql_traced(&app.admin(), query, json!({ "first": 2 }))
        .await;
    let (three, three_sql) = app
        .gql_traced(&app.admin(), query, json!({ "first": 3 }))
        .await;
    for (r, n) in [(&two, 2), (&three, 3)] {
        let nodes = r.data()["partners"]["nodes"].as_array().unwrap().clone();
        assert_eq!(nodes.len(), n);
        for p in nodes {
            assert_eq!(p["opportunities"]["nodes"].as_array().unwrap().len(), 1);
        }
    }
    assert_eq!(
        opportunities_statement(&two_sql),
        opportunities_statement(&three_sql)
    );
}

/// Past 10,000 rows a top-level list's `totalCount` on PostgreSQL is the planner's estimate
/// (and says so); below it, and under a filter that matches few rows, it is an exact count.
#[tokio::test]
async fn total_count_is_estimated_past_ten_thousand_rows_on_postgres() {
    if !crate::helpers::on_postgres() {
        return;
    }
    use sea_orm::ConnectionTrait;
    let app = TestApp::spawn().await;
    let partner = app.create_partner("Many Deals").await;
    let customer = app.create_customer(&partner, "Big Customer").await;
    let one = app.create_opportunity(&customer, "Seed deal").await;
    let query = "query($f: OpportunityFilter) { opportunities(first: 1, filter: $f) { totalCount totalCountIsEstimate } }";
    let r = app.gql(&app.admin(), query, json!({})).await;
    assert_eq!(r.data()["opportunities"]["totalCount"], 1);
    assert_eq!(r.data()["opportunities"]["totalCountIsEstimate"], false);
    // 12,000 copies of the opportunity (as a bulk import would write them), then fresh
    // statistics, as autovacuum would have them.
    app.db
        .execute_unprepared(&format!(
            "CREATE TEMP TABLE copies AS SELECT o.*, g FROM opportunity o,
               generate_series(1, 12000) g WHERE o.id = '{one}';
             UPDATE copies SET id = 'opp_' || md5(id || g), client_token = client_token || g,
               title = 'Copy ' || g, title_normalized = 'copy ' || g;
             ALTER TABLE copies DROP COLUMN g;
             INSERT INTO opportunity SELECT * FROM copies;
             DROP TABLE copies;
             ANALYZE opportunity;"
        ))
        .await
        .unwrap();
    let r = app.gql(&app.admin(), query, json!({})).await;
    let total = r.data()["opportunities"]["totalCount"].as_i64().unwrap();
    assert_eq!(r.data()["opportunities"]["totalCountIsEstimate"], true);
    assert!((10_001..=15_000).contains(&total), "{total}");
    // A filter that matches one row counts it exactly.
    let r = app
        .gql(
            &app.admin(),
            query,
            json!({ "f": { "search": "Seed deal" } }),
        )
        .await;
    assert_eq!(r.data()["opportunities"]["totalCount"], 1);
    assert_eq!(r.data()["opportunities"]["totalCountIsEstimate"], false);
}

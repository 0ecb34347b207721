//! ACE's field paths and cosell's field names, the partner-owned part of ACE's opportunity
//! JSON, and which fields each side changed since the last sync.
use serde_json::{Map, Value};
use std::collections::BTreeSet;

/// ACE members that are not the partner's opportunity fields: the request's own members,
/// identity, AWS's review, and associations (compared on their own).
const NOT_PARTNER_FIELDS: &[&str] = &[
    "Catalog",
    "ClientToken",
    "Origin",
    "Id",
    "Arn",
    "LastModifiedDate",
    "CreatedDate",
    "RelatedEntityIdentifiers",
    "OpportunityTeam",
    "Tags",
];
const REVIEW_FIELDS: &[&str] = &["ReviewStatus", "ReviewComments", "ReviewStatusReason"];

/// The partner-owned fields of an ACE opportunity body, the same whether it is cosell's
/// request or ACE's answer.
pub fn partner_view(body: &Value) -> Value {
    let mut view = body.clone();
    if let Some(map) = view.as_object_mut() {
        for key in NOT_PARTNER_FIELDS {
            map.remove(*key);
        }
        if let Some(Value::Object(life)) = map.get_mut("LifeCycle") {
            for key in REVIEW_FIELDS {
                life.remove(*key);
            }
            if life.is_empty() {
                map.remove("LifeCycle");
            }
        }
    }
    view
}

/// Leaf paths (lists compared whole) whose values differ between `a` and `b`.
pub fn changed_paths(a: &Value, b: &Value) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    walk(a, b, "", &mut out);
    out
}

fn walk(a: &Value, b: &Value, prefix: &str, out: &mut BTreeSet<String>) {
    let empty = Map::new();
    match (a, b) {
        (Value::Object(_), _) | (_, Value::Object(_))
            if matches!(a, Value::Object(_) | Value::Null)
                && matches!(b, Value::Object(_) | Value::Null) =>
        {
            let x = a.as_object().unwrap_or(&empty);
            let y = b.as_object().unwrap_or(&empty);
            let keys: BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            for k in keys {
                let path = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                walk(
                    x.get(k).unwrap_or(&Value::Null),
                    y.get(k).unwrap_or(&Value::Null),
                    &path,
                    out,
                );
            }
        }
        _ if a != b => {
            out.insert(prefix.to_string());
        }
        _ => {}
    }
}

/// The text at a dotted path.
pub fn text(v: &Value, path: &str) -> Option<String> {
    at(v, path).and_then(Value::as_str).map(str::to_string)
}

/// The monthly spend of `Project.ExpectedCustomerSpend` (an opportunity's or an invitation's),
/// when cosell can hold it: a positive amount in a currency it knows.
pub fn monthly_spend(body: &Value) -> Option<crate::services::commands::MoneyData> {
    use crate::domain::enums::{CurrencyCode, StoredEnum};
    let spend = at(body, "Project.ExpectedCustomerSpend")?
        .as_array()?
        .iter()
        .find(|s| s["Frequency"] == "Monthly")?;
    let cents = crate::domain::money::parse_cents(spend["Amount"].as_str()?).ok()?;
    (cents > 0).then_some(crate::services::commands::MoneyData {
        cents,
        currency_code: CurrencyCode::parse(spend["CurrencyCode"].as_str()?)?,
    })
}

/// The customer's contacts in an ACE opportunity body (`Customer.Contacts`), unvalidated:
/// ACE has checked them.
pub fn contacts(body: &Value) -> Vec<crate::services::customers::ContactFields> {
    let text = |c: &Value, key: &str| c.get(key).and_then(Value::as_str).map(str::to_string);
    at(body, "Customer.Contacts")
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .map(|c| crate::services::customers::ContactFields {
                    first_name: text(c, "FirstName").unwrap_or_default(),
                    last_name: text(c, "LastName").unwrap_or_default(),
                    email: text(c, "Email"),
                    phone: text(c, "Phone"),
                    business_title: text(c, "BusinessTitle"),
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The value at a dotted path.
pub fn at<'a>(v: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.')
        .try_fold(v, |v, key| v.get(key))
        .filter(|v| !v.is_null())
}

fn camel(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The cosell field an ACE path maps to, in the names of the API (`customer.address.postalCode`,
/// `opportunity.nextSteps`).
pub fn cosell_field(ace_path: &str) -> String {
    let path = ace_path.split('[').next().unwrap_or(ace_path);
    let fixed = [
        (
            "Project.ExpectedCustomerSpend",
            "opportunity.expectedMonthlySpend",
        ),
        ("Customer.Contacts", "customer.contacts"),
        ("Marketing.Source", "opportunity.marketingSource"),
        ("Marketing.Channels", "opportunity.marketingChannels"),
        ("Marketing.UseCases", "opportunity.marketingUseCases"),
        (
            "RelatedEntityIdentifiers.Solutions",
            "opportunity.solutions",
        ),
        (
            "RelatedEntityIdentifiers.AwsProducts",
            "opportunity.awsProducts",
        ),
        (
            "RelatedEntityIdentifiers.AwsMarketplaceOffers",
            "opportunity.awsMarketplaceOfferArn",
        ),
    ];
    if let Some((_, field)) = fixed
        .iter()
        .find(|(ace, _)| path == *ace || path.starts_with(&format!("{ace}.")))
    {
        return field.to_string();
    }
    if let Some(rest) = path.strip_prefix("Customer.Account.Address.") {
        return format!("customer.address.{}", camel(rest));
    }
    if let Some(rest) = path.strip_prefix("Customer.Account.") {
        return format!("customer.{}", camel(rest));
    }
    let last = path.rsplit('.').next().unwrap_or(path);
    format!("opportunity.{}", camel(last))
}

/// Whether two sets of changed paths touch the same field (a path, or one inside the other).
pub fn overlapping(a: &BTreeSet<String>, b: &BTreeSet<String>) -> BTreeSet<String> {
    a.iter()
        .filter(|x| {
            b.iter().any(|y| {
                x == &y || x.starts_with(&format!("{y}.")) || y.starts_with(&format!("{x}."))
            })
        })
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn paths_map_to_api_field_names() {
        assert_eq!(
            cosell_field("Customer.Account.Address.PostalCode"),
            "customer.address.postalCode"
        );
        assert_eq!(
            cosell_field("Customer.Account.AwsAccountId"),
            "customer.awsAccountId"
        );
        assert_eq!(cosell_field("LifeCycle.NextSteps"), "opportunity.nextSteps");
        assert_eq!(
            cosell_field("Project.ExpectedCustomerSpend[0].Amount"),
            "opportunity.expectedMonthlySpend"
        );
    }

    #[test]
    fn changes_are_leaf_paths_and_review_is_not_a_partner_field() {
        let a = json!({"LifeCycle": {"Stage": "Qualified", "ReviewStatus": "Submitted"}, "Project": {"Title": "A"}});
        let b = json!({"LifeCycle": {"Stage": "Committed", "ReviewStatus": "Approved"}, "Project": {"Title": "A"}, "Id": "O1"});
        let changed = changed_paths(&partner_view(&a), &partner_view(&b));
        assert_eq!(changed.into_iter().collect::<Vec<_>>(), ["LifeCycle.Stage"]);
    }
}

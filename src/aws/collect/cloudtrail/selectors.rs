//! What a trail's event selectors record, basic or advanced, read the way AWS Config's
//! rules read them. A selector narrowed in any way this code does not know (an event
//! name, a resource ARN prefix other than "every bucket") counts as recording less, so
//! an unknown shape can make a control fail but never pass.

use aws_sdk_cloudtrail::types::{
    AdvancedEventSelector, AdvancedFieldSelector, EventSelector, ReadWriteType,
};

use crate::model::cloudtrail::Events;

/// The facts of one trail's selectors.
pub(super) fn events(basic: &[EventSelector], advanced: &[AdvancedEventSelector]) -> Events {
    let mut out = Events::default();
    for s in basic {
        let (read, write) = match s.read_write_type() {
            Some(ReadWriteType::ReadOnly) => (true, false),
            Some(ReadWriteType::WriteOnly) => (false, true),
            // All is the default of a selector that names none.
            _ => (true, true),
        };
        if s.include_management_events().unwrap_or(true) {
            out.management_read |= read;
            out.management_write |= write;
            extend(
                &mut out.excluded_management_sources,
                s.exclude_management_event_sources(),
            );
        }
        let every_bucket = s.data_resources().iter().any(|d| {
            d.r#type() == Some("AWS::S3::Object") && d.values().iter().any(|v| all_buckets(v))
        });
        if every_bucket {
            out.s3_data_read |= read;
            out.s3_data_write |= write;
        }
    }
    for s in advanced {
        let fields = s.field_selectors();
        let equals = |name: &str, value: &str| {
            fields
                .iter()
                .any(|f| f.field() == name && f.equals() == [value.to_string()])
        };
        let (read, write) = match fields.iter().find(|f| f.field() == "readOnly") {
            None => (true, true),
            Some(f) if f.equals() == ["true".to_string()] => (true, false),
            Some(f) if f.equals() == ["false".to_string()] => (false, true),
            Some(_) => (false, false),
        };
        if equals("eventCategory", "Management") {
            let known = fields.iter().all(|f| match f.field() {
                "eventCategory" | "readOnly" => true,
                "eventSource" => only_not_equals(f),
                _ => false,
            });
            if known {
                out.management_read |= read;
                out.management_write |= write;
                for f in fields.iter().filter(|f| f.field() == "eventSource") {
                    extend(&mut out.excluded_management_sources, f.not_equals());
                }
            }
        } else if equals("eventCategory", "Data") && equals("resources.type", "AWS::S3::Object") {
            let every_bucket = fields.iter().all(|f| match f.field() {
                "eventCategory" | "readOnly" | "resources.type" => true,
                "resources.ARN" => {
                    f.equals().is_empty()
                        && f.not_equals().is_empty()
                        && f.starts_with().iter().all(|v| all_buckets(v))
                        && f.ends_with().is_empty()
                        && f.not_starts_with().is_empty()
                        && f.not_ends_with().is_empty()
                }
                _ => false,
            });
            if every_bucket {
                out.s3_data_read |= read;
                out.s3_data_write |= write;
            }
        }
    }
    out
}

/// `arn:<partition>:s3` or `arn:<partition>:s3:::`: every bucket, now and later.
fn all_buckets(value: &str) -> bool {
    let parts: Vec<&str> = value.split(':').collect();
    matches!(
        parts.as_slice(),
        ["arn", _, "s3"] | ["arn", _, "s3", "", "", ""]
    )
}

/// A field selector that only leaves values out.
fn only_not_equals(f: &AdvancedFieldSelector) -> bool {
    f.equals().is_empty()
        && f.starts_with().is_empty()
        && f.ends_with().is_empty()
        && f.not_starts_with().is_empty()
        && f.not_ends_with().is_empty()
}

fn extend(list: &mut Vec<String>, more: &[String]) {
    for m in more {
        if !list.contains(m) {
            list.push(m.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use aws_sdk_cloudtrail::types::DataResource;

    use super::*;

    fn basic(rw: Option<ReadWriteType>, management: Option<bool>) -> EventSelector {
        let mut b = EventSelector::builder().set_read_write_type(rw);
        b = b.set_include_management_events(management);
        b.build()
    }

    fn field(name: &str, equals: &[&str]) -> AdvancedFieldSelector {
        let mut b = AdvancedFieldSelector::builder().field(name);
        for e in equals {
            b = b.equals(*e);
        }
        b.build().unwrap()
    }

    fn advanced(fields: Vec<AdvancedFieldSelector>) -> AdvancedEventSelector {
        AdvancedEventSelector::builder()
            .set_field_selectors(Some(fields))
            .build()
            .unwrap()
    }

    #[test]
    fn a_default_basic_selector_records_all_management_events() {
        let e = events(&[basic(None, None)], &[]);
        assert!(e.management_read && e.management_write);
        assert!(!e.s3_data_read && !e.s3_data_write);
        let write_only = events(&[basic(Some(ReadWriteType::WriteOnly), Some(true))], &[]);
        assert!(!write_only.management_read && write_only.management_write);
        let none = events(&[basic(Some(ReadWriteType::All), Some(false))], &[]);
        assert!(!none.management_read && !none.management_write);
        // Two selectors, one read and one write, make all.
        let both = events(
            &[
                basic(Some(ReadWriteType::ReadOnly), Some(true)),
                basic(Some(ReadWriteType::WriteOnly), Some(true)),
            ],
            &[],
        );
        assert!(both.management_read && both.management_write);
    }

    #[test]
    fn s3_data_events_count_only_for_every_bucket() {
        let selector = |values: &[&str]| {
            let mut d = DataResource::builder().r#type("AWS::S3::Object");
            for v in values {
                d = d.values(*v);
            }
            EventSelector::builder()
                .read_write_type(ReadWriteType::WriteOnly)
                .data_resources(d.build())
                .build()
        };
        assert!(events(&[selector(&["arn:aws:s3"])], &[]).s3_data_write);
        assert!(events(&[selector(&["arn:aws:s3:::"])], &[]).s3_data_write);
        let one = events(&[selector(&["arn:aws:s3:::ledger/"])], &[]);
        assert!(!one.s3_data_write && !one.s3_data_read);
    }

    #[test]
    fn advanced_selectors_are_read_and_unknown_narrowing_records_nothing() {
        let management = advanced(vec![field("eventCategory", &["Management"])]);
        let e = events(&[], &[management]);
        assert!(e.management_read && e.management_write);
        let read_only = advanced(vec![
            field("eventCategory", &["Management"]),
            field("readOnly", &["true"]),
        ]);
        let e = events(&[], &[read_only]);
        assert!(e.management_read && !e.management_write);
        let excluded = advanced(vec![
            field("eventCategory", &["Management"]),
            AdvancedFieldSelector::builder()
                .field("eventSource")
                .not_equals("kms.amazonaws.com")
                .build()
                .unwrap(),
        ]);
        let e = events(&[], &[excluded]);
        assert!(e.management_write);
        assert_eq!(e.excluded_management_sources, ["kms.amazonaws.com"]);
        let narrowed = advanced(vec![
            field("eventCategory", &["Management"]),
            field("eventName", &["ConsoleLogin"]),
        ]);
        let e = events(&[], &[narrowed]);
        assert!(!e.management_read && !e.management_write);
        let s3 = advanced(vec![
            field("eventCategory", &["Data"]),
            field("resources.type", &["AWS::S3::Object"]),
        ]);
        let e = events(&[], &[s3]);
        assert!(e.s3_data_read && e.s3_data_write && !e.management_read);
        let one_bucket = advanced(vec![
            field("eventCategory", &["Data"]),
            field("resources.type", &["AWS::S3::Object"]),
            AdvancedFieldSelector::builder()
                .field("resources.ARN")
                .starts_with("arn:aws:s3:::ledger/")
                .build()
                .unwrap(),
        ]);
        assert!(!events(&[], &[one_bucket]).s3_data_write);
    }
}

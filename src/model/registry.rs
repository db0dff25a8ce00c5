//! The service registry: every AWS service the scanner knows, declared once.
//!
//! One `registry!` entry (in `model/mod.rs`) names a service, whether it is listed once
//! for the account or once per region, the calls its collector makes beside the
//! attributes' own (listings, descriptions), the IAM names of calls whose action is
//! spelt differently, the VPC endpoints the scanner Lambda reaches it through, and its
//! resource kinds with their model structs and attribute schemas. From that entry come
//! the `Service`, `ResourceKind` and `Properties` enums and every table that used to be
//! kept by hand: `--service` parsing and help, collection dispatch and progress, the
//! scan policy, the VPC endpoints, docs/permissions.md and docs/attributes.md (the last
//! three checked by tests). docs/adding-a-service.md is the recipe.

use super::ResourceKind;

/// How a service's resources are listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Listed {
    /// Once for the account, from the home region (S3's `ListBuckets`, IAM).
    Account,
    /// Once in every scanned region.
    Region,
    /// Only templates describe it (`scan --template`): a live scan has nothing to list.
    Template,
}

/// What the registry knows of one service. `calls`, `actions` and `endpoint` are what
/// the template's scan policy and VPC endpoints and docs/permissions.md are checked
/// against (by tests: the running scanner never needs them).
#[derive(Debug)]
#[cfg_attr(not(test), allow(dead_code))]
pub struct ServiceSpec {
    /// As `--service` names it and as the rules folder is named.
    pub name: &'static str,
    pub title: &'static str,
    pub listed: Listed,
    /// The IAM actions the collector calls whatever the rules read: listings and
    /// per-resource descriptions (the attributes' own calls are in the schema).
    pub calls: &'static [&'static str],
    /// API calls whose IAM action has another name (`GetBucketEncryption` is allowed by
    /// `s3:GetEncryptionConfiguration`), or a whole `prefix:Action` where the service's
    /// IAM prefix is not its name (ELBv2's `elasticloadbalancing:`).
    pub actions: &'static [(&'static str, &'static str)],
    /// The VPC endpoint services the scanner Lambda reaches the APIs the collector calls
    /// through (`com.amazonaws.<region>.<endpoint>`), where AWS offers one.
    pub endpoints: &'static [&'static str],
    pub kinds: &'static [ResourceKind],
}

#[cfg(test)]
impl ServiceSpec {
    /// The IAM action that allows API call `call` of this service.
    pub fn action(&self, call: &str) -> String {
        let name = self
            .actions
            .iter()
            .find(|(api, _)| *api == call)
            .map_or(call, |(_, action)| action);
        if name.contains(':') {
            name.to_string()
        } else {
            format!("{}:{name}", self.name)
        }
    }

    /// The IAM actions a scan of every rule on this service needs.
    pub fn scan_actions(&self) -> std::collections::BTreeSet<String> {
        let mut out: std::collections::BTreeSet<String> =
            self.calls.iter().map(|c| c.to_string()).collect();
        for kind in self.kinds {
            out.extend(
                kind.schema()
                    .iter()
                    .filter_map(|f| f.call)
                    .map(|c| self.action(c)),
            );
        }
        out
    }
}

#[cfg(test)]
/// Calls every scan makes before any service: who the caller is, which regions exist.
pub const SESSION_CALLS: &[&str] = &["sts:GetCallerIdentity", "ec2:DescribeRegions"];
#[cfg(test)]
/// The VPC endpoint the session's own call (STS) needs.
pub const SESSION_ENDPOINT: &str = "sts";

/// Declares the services: see the module header. Each kind is
/// `Variant = "aws.<service>.<kind>" (ModelStruct, SCHEMA)`.
macro_rules! registry {
    ($(
        $service:ident = $name:literal {
            title: $title:literal,
            listed: $listed:ident,
            calls: [$($call:literal),* $(,)?],
            actions: [$(($api:literal, $action:literal)),* $(,)?],
            endpoints: [$($endpoint:literal),* $(,)?],
            templates: [$(($cfn:literal, $how:ident($($mapper:tt)+))),* $(,)?],
            kinds: { $($kind:ident = $kind_name:literal ($ty:ty, $schema:expr, $asff:literal, $config:literal)),+ $(,)? } $(,)?
        }
    )+) => {
        /// The services a scan can be narrowed to with `--service`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        pub enum Service {
            $( #[serde(rename = $name)] $service, )+
        }

        /// Every service, in registry order (the order of `Service`).
        pub static SERVICES: &[registry::ServiceSpec] = &[$(
            registry::ServiceSpec {
                name: $name,
                title: $title,
                listed: registry::Listed::$listed,
                calls: &[$($call),*],
                actions: &[$(($api, $action)),*],
                endpoints: &[$($endpoint),*],
                kinds: &[$(ResourceKind::$kind),+],
            },
        )+];

        /// Every CloudFormation type a template scan reads, with how (`template::map`).
        pub static TEMPLATE_TYPES: &[(&str, crate::template::map::Mapper)] = &[$($(
            ($cfn, crate::template::map::Mapper::$how(crate::template::map::$($mapper)+)),
        )*)+];

        impl Service {
            pub const ALL: &'static [Service] = &[$(Service::$service),+];

            /// The service's registry entry.
            pub fn spec(self) -> &'static registry::ServiceSpec {
                &SERVICES[self as usize]
            }
        }

        /// The kinds of resource a rule can name.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum ResourceKind {
            $($( $kind, )+)+
        }

        impl ResourceKind {
            pub const ALL: &'static [ResourceKind] = &[$($(ResourceKind::$kind,)+)+];

            pub fn as_str(self) -> &'static str {
                match self { $($( ResourceKind::$kind => $kind_name, )+)+ }
            }

            /// The AWS service that owns this kind, as `--service` names it.
            pub fn service(self) -> Service {
                match self { $($( ResourceKind::$kind => Service::$service, )+)+ }
            }

            /// The attributes a rule may read on this kind.
            pub fn schema(self) -> &'static [schema::Field] {
                match self { $($( ResourceKind::$kind => $schema, )+)+ }
            }

            /// Security Hub's resource type (`Resources[].Type` in ASFF): `AwsAccount`
            /// for an account's or a region's settings, `Other` where ASFF has none.
            pub fn asff_type(self) -> &'static str {
                match self { $($( ResourceKind::$kind => $asff, )+)+ }
            }

            /// AWS Config's resource type (`AWS::S3::Bucket`), for the stack's
            /// change-triggered Config rule; none for settings Config does not record.
            #[cfg_attr(not(feature = "lambda"), allow(dead_code))] // the Lambda's, and a test's
            pub fn config_type(self) -> Option<&'static str> {
                match self { $($( ResourceKind::$kind => Some($config).filter(|t: &&str| !t.is_empty()), )+)+ }
            }
        }

        /// The attributes of a resource, tagged with its kind.
        #[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
        #[serde(tag = "kind", content = "attributes")]
        pub enum Properties {
            $($( #[serde(rename = $kind_name)] $kind($ty), )+)+
        }

        impl Properties {
            pub fn kind(&self) -> ResourceKind {
                match self { $($( Properties::$kind(_) => ResourceKind::$kind, )+)+ }
            }
        }
    };
}
pub(crate) use registry;

/// Every IAM action a scan of every rule needs: the session's calls and each service's.
#[cfg(test)]
pub fn scan_actions() -> std::collections::BTreeSet<String> {
    let mut out: std::collections::BTreeSet<String> =
        SESSION_CALLS.iter().map(|c| c.to_string()).collect();
    for spec in super::SERVICES {
        out.extend(spec.scan_actions());
    }
    out
}

/// The VPC endpoints the scanner Lambda needs: the session's and each service's.
#[cfg(test)]
pub fn endpoints() -> std::collections::BTreeSet<&'static str> {
    std::iter::once(SESSION_ENDPOINT)
        .chain(
            super::SERVICES
                .iter()
                .flat_map(|s| s.endpoints.iter().copied()),
        )
        .collect()
}

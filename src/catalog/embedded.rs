//! The catalog compiled into the binary, so `costcast` runs from any directory.

/// The region the embedded catalog covers.
pub(super) const REGION: &str = "us-east-1";

macro_rules! embed {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("../../pricing-data/aws/us-east-1/", $name)))),*]
    };
}

/// `(file name, contents)` of every catalog file, in the order they are loaded: the list
/// of files a `pricing-data` region directory must hold.
pub(super) const FILES: &[(&str, &str)] = embed!(
    "ec2.csv",
    "ec2_instance_types.csv",
    "ec2_burstable.csv",
    "lightsail.csv",
    "lightsail_plans.csv",
    "fargate.csv",
    "lambda.csv",
    "apigateway.csv",
    "elb.csv",
    "eks.csv",
    "ecr.csv",
    "free_tier.csv",
    "catalog_meta.csv",
);

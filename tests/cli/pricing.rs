//! `costcast pricing list|show`.

use crate::costcast;

#[test]
fn show_an_instance_with_its_provenance_and_credits() {
    let run = costcast(&["pricing", "show", "ec2", "t3.micro"]);
    let text = run.ok();
    assert!(text.starts_with("ec2 BoxUsage:t3.micro\n"), "{text}");
    assert!(text.contains("price       0.0104 USD per hour"), "{text}");
    assert!(text.contains("confidence  price-list"), "{text}");
    assert!(text.contains("instance    2 vCPU, 1 GiB, amd64"), "{text}");
    assert!(
        text.contains(
            "earns 12 per hour, accrues at most 288, baseline 10% per vCPU, Unlimited by default"
        ),
        "{text}"
    );
}

#[test]
fn show_tiers_and_plans() {
    let run = costcast(&["pricing", "show", "lambda", "Lambda-GB-Second"]);
    let text = run.ok();
    assert_eq!(
        text.matches("lambda Lambda-GB-Second\n").count(),
        3,
        "{text}"
    );
    assert!(
        text.contains("0.000015 USD per GB-second (from 6000000000 per month)"),
        "{text}"
    );
    let run = costcast(&["pricing", "show", "lightsail", "small_3_0"]);
    assert!(
        run.ok()
            .contains("plan        2 vCPU, 2 GB RAM, 60 GB SSD, 3,072 GB transfer, baseline 20%")
    );
}

#[test]
fn list_one_service() {
    let run = costcast(&["pricing", "list", "eks"]);
    let text = run.ok();
    assert!(text.contains("AmazonEKS-Hours:perCluster"));
    assert!(text.contains("AmazonEKS-Hours:extendedSupport"));
    assert!(!text.contains("BoxUsage"));
    let all = costcast(&["pricing", "list"]);
    assert!(all.ok().lines().count() > 1400);
}

#[test]
fn unknown_service_or_key_is_an_error() {
    costcast(&["pricing", "list", "ec9"])
        .error_contains("unknown service `ec9`; expected one of: ec2, lightsail");
    costcast(&["pricing", "show", "ec2", "t9.huge"])
        .error_contains("no ec2 price matches `t9.huge`");
}

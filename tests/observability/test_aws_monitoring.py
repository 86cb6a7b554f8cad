"""AwsMonitoring: Bedrock and GPU node-group alarms to a KMS-encrypted SNS topic whose key lets
CloudWatch use it; a dashboard of every Bedrock metric per allowlisted model; wired outputs."""

from __future__ import annotations

import json
from typing import Any

import pytest

from pulumi_aiops.errors import ConfigError
from pulumi_aiops.testing import ResourceGraph, run_program

TAGS = {"owner": "ml-platform", "cost-center": "cc-1", "data-classification": "internal"}
MODELS = ["anthropic.claude-3-5-sonnet-20240620-v1:0", "amazon.titan-embed-text-v2:0"]
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"


def _program(**more: Any) -> Any:
    def program() -> None:
        import pulumi_aws as aws

        from pulumi_aiops.observability import AwsMonitoring

        # the user's own ASG (a GPU node group's), its name wired in as an output
        lt = aws.ec2.LaunchTemplate("my-gpu-lt", image_id="ami-0123456789abcdef0", instance_type="g6.xlarge")
        asg = aws.autoscaling.Group("my-gpu-asg", name="eks-gpu-l4-asg", max_size=2, min_size=0,
                                    availability_zones=["us-east-1a"], launch_template={"id": lt.id})
        AwsMonitoring("mon", {"bedrock_models": MODELS, "autoscaling_groups": {"l4": asg.name},
                              "subscriptions": [{"protocol": "email", "endpoint": "oncall@example.com"}],
                              "tags": TAGS, **more})

    return program


@pytest.fixture(scope="module")
def graph() -> ResourceGraph:
    return run_program(_program(), {"aws:region": "us-east-1"})


def test_the_topic_is_encrypted_with_a_key_cloudwatch_may_use(graph: ResourceGraph) -> None:
    topic = graph.named("mon-alarms", "aws:sns/topic:Topic")
    key = graph.named("mon-alarms-key", "aws:kms/key:Key")
    assert topic.inputs["kmsMasterKeyId"] == key.outputs["arn"] and key.protect
    policy = json.loads(key.inputs["policy"])
    cw = next(s for s in policy["Statement"] if s.get("Sid") == "CloudWatchAlarms")
    assert cw["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
    assert set(cw["Action"]) == {"kms:Decrypt", "kms:GenerateDataKey*"}
    tp = json.loads(graph.named("mon-alarms-policy", "aws:sns/topicPolicy:TopicPolicy").inputs["policy"])
    (stmt,) = tp["Statement"]
    assert stmt["Principal"] == {"Service": "cloudwatch.amazonaws.com"} and stmt["Action"] == "sns:Publish"
    assert stmt["Condition"]["StringEquals"]["aws:SourceAccount"] == "123456789012"
    assert stmt["Condition"]["ArnLike"]["aws:SourceArn"] == "arn:aws:cloudwatch:us-east-1:123456789012:alarm:*"
    sub = graph.of_type("aws:sns/topicSubscription:TopicSubscription")
    assert [(s.inputs["protocol"], s.inputs["endpoint"]) for s in sub] == [("email", "oncall@example.com")]


def test_every_allowlisted_model_has_its_four_alarms_to_the_topic(graph: ResourceGraph) -> None:
    topic = graph.named("mon-alarms", "aws:sns/topic:Topic").outputs["arn"]
    alarms = [a for a in graph.of_type(ALARM) if a.inputs.get("namespace") == "AWS/Bedrock"]
    got = {(a.inputs["dimensions"]["ModelId"], a.inputs["metricName"]) for a in alarms}
    assert got == {(m, metric) for m in MODELS for metric in (
        "InvocationLatency", "InvocationThrottles", "InvocationServerErrors", "InvocationClientErrors")}
    for a in alarms:
        assert a.inputs["alarmActions"] == [topic] and a.inputs["okActions"] == [topic]
        assert a.inputs["treatMissingData"] == "notBreaching" and a.inputs["period"] == 300
    latency = [a for a in alarms if a.inputs["metricName"] == "InvocationLatency"]
    assert all(a.inputs["extendedStatistic"] == "p90" and a.inputs["threshold"] == 20000 for a in latency)


def test_node_group_health_comes_from_the_users_asg(graph: ResourceGraph) -> None:
    asg = graph.named("my-gpu-asg", "aws:autoscaling/group:Group")
    alarm = graph.named("mon-nodegroup-l4-status", ALARM)
    assert alarm.inputs["dimensions"] == {"AutoScalingGroupName": asg.outputs["name"]}
    assert (alarm.inputs["namespace"], alarm.inputs["metricName"]) == ("AWS/EC2", "StatusCheckFailed")
    assert asg.urn in alarm.property_dependencies["dimensions"]
    assert not [a for a in graph.of_type(ALARM) if a.name.endswith("-capacity")]  # group metrics are opt-in


def test_the_dashboard_shows_each_bedrock_metric_per_model(graph: ResourceGraph) -> None:
    body = json.loads(graph.named("mon-dashboard", "aws:cloudwatch/dashboard:Dashboard").inputs["dashboardBody"])
    bedrock = [w["properties"] for w in body["widgets"] if w["properties"]["metrics"][0][0] == "AWS/Bedrock"]
    assert {p["metrics"][0][1] for p in bedrock} == {
        "Invocations", "InvocationLatency", "InvocationThrottles", "InvocationClientErrors",
        "InvocationServerErrors", "InputTokenCount", "OutputTokenCount"}
    for p in bedrock:
        assert [m[3] for m in p["metrics"]] == MODELS and p["region"] == "us-east-1"
    nodes = next(w["properties"] for w in body["widgets"] if w["properties"]["metrics"][0][0] == "AWS/EC2")
    assert nodes["metrics"][0][2:4] == ["AutoScalingGroupName",
                                        graph.named("my-gpu-asg", "aws:autoscaling/group:Group").outputs["name"]]


def test_group_metrics_add_an_in_service_below_desired_alarm() -> None:
    g = run_program(_program(group_metrics_enabled=True), {"aws:region": "us-east-1"})
    alarm = g.named("mon-nodegroup-l4-capacity", ALARM)
    queries = {q["id"]: q for q in alarm.inputs["metricQueries"]}
    assert queries["missing"]["expression"] == "desired - inservice"
    assert queries["inservice"]["metric"]["metricName"] == "GroupInServiceInstances"


def test_a_users_key_replaces_the_created_one() -> None:
    def program() -> None:
        import pulumi_aws as aws

        from pulumi_aiops.observability import AwsMonitoring

        key = aws.kms.Key("my-key")
        AwsMonitoring("mon", {"kms_key_arn": key.arn, "tags": TAGS})

    g = run_program(program, {"aws:region": "us-east-1"})
    assert [k.name for k in g.of_type("aws:kms/key:Key")] == ["my-key"]
    assert g.named("mon-alarms", "aws:sns/topic:Topic").inputs["kmsMasterKeyId"] == \
        g.named("my-key", "aws:kms/key:Key").outputs["arn"]


def test_bad_args_name_the_key() -> None:
    def program() -> None:
        from pulumi_aiops.observability import AwsMonitoring

        AwsMonitoring("mon", {"bedrock_models": ["a", "a"], "thresholds": {"evaluation_periods": 0}})

    with pytest.raises(ConfigError) as err:
        run_program(program, {"aws:region": "us-east-1"})
    text = str(err.value)
    assert "AwsMonitoring('mon').bedrockModels: ['a', 'a'] lists a model twice" in text
    assert "AwsMonitoring('mon').thresholds.evaluationPeriods: 0" in text

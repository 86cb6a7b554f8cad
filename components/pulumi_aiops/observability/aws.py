"""``AwsMonitoring``: CloudWatch alarms and a dashboard for Bedrock and the GPU node groups.

* an SNS topic encrypted with a customer-managed KMS key whose explicit key policy lets
  ``cloudwatch.amazonaws.com`` use it (``kms:Decrypt``, ``kms:GenerateDataKey*``: what CloudWatch
  needs to publish to an encrypted topic), and a topic policy letting CloudWatch alarms of this
  account publish (``aws:SourceAccount``, ``aws:SourceArn`` fences); or your key (``kms_key_arn``);
* per allowlisted Bedrock model (namespace ``AWS/Bedrock``, dimension ``ModelId``), alarms on
  ``InvocationLatency`` (p90), ``InvocationThrottles``, ``InvocationServerErrors`` and
  ``InvocationClientErrors`` (sums per 5 minutes), each to the topic on alarm and on recovery;
* per GPU node group, an alarm on its instances' status checks (``AWS/EC2`` ``StatusCheckFailed``,
  dimension ``AutoScalingGroupName``, published for instances of an ASG with basic monitoring);
  with ``group_metrics_enabled`` also in-service < desired for 15 minutes (``AWS/AutoScaling``
  group metrics, which an EKS-managed ASG publishes only once ``EnableMetricsCollection`` is run on
  it; pulumi-aws has no resource for that on an ASG it does not own);
* a CloudWatch dashboard: invocations, latency, throttles, errors, input and output tokens
  (``InputTokenCount``, ``OutputTokenCount``) per model, and the node groups' status checks.

Thresholds are design defaults (:class:`~pulumi_aiops.config.observability.BedrockAlarmThresholds`).
Example::

    from pulumi_aiops.observability import AwsMonitoring

    mon = AwsMonitoring("platform", {
        "bedrock_models": ["anthropic.claude-3-5-sonnet-20240620-v1:0"],
        "autoscaling_groups": {"l4": asg_name_output},
        "subscriptions": [{"protocol": "email", "endpoint": "oncall@example.com"}],
        "tags": {"owner": "ml-platform", "cost-center": "cc-1", "data-classification": "internal"},
    })
    # Alertmanager can page through the same topic: {"type": "sns", "topic_arn": mon.topic_arn}
"""

# No `from __future__ import annotations`: Pulumi's schema inference reads the annotations of
# component classes as objects at run time.
import json
import re
from typing import Any

import pulumi
import pulumi_aws as aws

from pulumi_aiops.args import AwsMonitoringArgs
from pulumi_aiops.aws.formats import KMS_KEY_ARN, checked
from pulumi_aiops.aws.iam import document, statement
from pulumi_aiops.aws.kms import KeyUser, kms_key
from pulumi_aiops.config.base import component_args
from pulumi_aiops.config.observability import AwsMonitoringArgsModel

__all__ = ["BEDROCK_METRICS", "TYPE_TOKEN", "AwsMonitoring", "AwsMonitoringArgs", "bedrock_dashboard"]

TYPE_TOKEN = "aiops:index:AwsMonitoring"
#: The Bedrock runtime metrics of namespace AWS/Bedrock (dimension ModelId) the dashboard shows.
BEDROCK_METRICS = ("Invocations", "InvocationLatency", "InvocationThrottles", "InvocationClientErrors",
                   "InvocationServerErrors", "InputTokenCount", "OutputTokenCount")
_PERIOD = 300


def _slug(text: str) -> str:
    from pulumi_aiops.data_lake import short_hash

    s = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40]
    return f"{s}-{short_hash(text)}"


def bedrock_dashboard(models: list[str], groups: list[tuple[str, Any]], region: str) -> str:
    """The dashboard body (JSON): a widget per Bedrock metric with a line per model, then the
    GPU node groups' status checks. ``groups`` holds ``(group, asg name)``, names already known."""
    widgets: list[dict[str, Any]] = []
    y = 0
    for i, metric in enumerate(BEDROCK_METRICS):
        stat = "p90" if metric == "InvocationLatency" else "Sum"
        widgets.append({
            "type": "metric", "x": (i % 2) * 12, "y": y, "width": 12, "height": 6,
            "properties": {"title": f"Bedrock {metric}" + (" (p90, ms)" if stat == "p90" else ""),
                           "region": region, "stat": stat, "period": _PERIOD, "view": "timeSeries",
                           "metrics": [["AWS/Bedrock", metric, "ModelId", m] for m in models]},
        })
        if i % 2:
            y += 6
    y += 6
    if groups:
        widgets.append({
            "type": "metric", "x": 0, "y": y, "width": 24, "height": 6,
            "properties": {"title": "GPU node groups: instances failing status checks", "region": region,
                           "stat": "Maximum", "period": _PERIOD, "view": "timeSeries",
                           "metrics": [["AWS/EC2", "StatusCheckFailed", "AutoScalingGroupName", asg,
                                        {"label": group}] for group, asg in groups]},
        })
    return json.dumps({"widgets": widgets}, sort_keys=True)


class AwsMonitoring(pulumi.ComponentResource):
    """CloudWatch alarms and a dashboard for Bedrock models and GPU node groups, to an encrypted SNS topic."""

    topic_arn: pulumi.Output[str]
    """The alarm topic (KMS-encrypted); subscribe to it, or give it to Alertmanager's SNS receiver."""
    kms_key_arn: pulumi.Output[str]
    """The topic's key."""
    dashboard_name: pulumi.Output[str]
    """The CloudWatch dashboard."""

    def __init__(self, name: str, args: AwsMonitoringArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        raw: Any = args
        where = f"AwsMonitoring({name!r})"
        cfg = component_args(AwsMonitoringArgsModel, raw, where)
        super().__init__(TYPE_TOKEN, name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        invoke = pulumi.InvokeOutputOptions(parent=self)
        tags = dict(cfg.tags)
        account = aws.get_caller_identity_output(opts=invoke).account_id
        partition = aws.get_partition_output(opts=invoke).partition
        region = aws.get_region_output(opts=invoke).region

        if cfg.kms_key_arn is not None:
            key_arn: pulumi.Input[str] = checked(cfg.kms_key_arn, KMS_KEY_ARN, f"{where}.kmsKeyArn")
        else:
            key = kms_key(
                f"{name}-alarms-key", parent=self, description=f"{name}: SNS topic of CloudWatch alarms",
                users=[KeyUser("CloudWatchAlarms", service="cloudwatch.amazonaws.com",
                               actions=["kms:Decrypt", "kms:GenerateDataKey*"])],
                alias=f"alias/{name}-alarms", tags=tags, account_id=account, partition=partition)
            key_arn = key.arn
        self.kms_key_arn = pulumi.Output.from_input(key_arn)
        self.topic = aws.sns.Topic(f"{name}-alarms", name=f"{name}-alarms", kms_master_key_id=key_arn,
                                   tags=tags, opts=child)
        self.topic_arn = self.topic.arn
        alarm_arns = pulumi.Output.concat("arn:", partition, ":cloudwatch:", region, ":", account, ":alarm:*")
        aws.sns.TopicPolicy(f"{name}-alarms-policy", arn=self.topic.arn, policy=document([
            statement("Allow", "sns:Publish", self.topic.arn, sid="CloudWatchAlarms",
                      principal={"Service": "cloudwatch.amazonaws.com"},
                      condition={"StringEquals": {"aws:SourceAccount": account},
                                 "ArnLike": {"aws:SourceArn": alarm_arns}}),
        ]), opts=child)
        for sub in cfg.subscriptions:
            aws.sns.TopicSubscription(f"{name}-sub-{sub.protocol}-{_slug(sub.endpoint)}", topic=self.topic.arn,
                                      protocol=sub.protocol, endpoint=sub.endpoint, opts=child)

        t = cfg.thresholds
        actions = [self.topic.arn]
        self.alarms: dict[str, aws.cloudwatch.MetricAlarm] = {}

        def alarm(key: str, description: str, **kw: Any) -> None:
            self.alarms[key] = aws.cloudwatch.MetricAlarm(
                f"{name}-{key}", name=f"{name}-{key}", alarm_description=description, alarm_actions=actions,
                ok_actions=actions, treat_missing_data="notBreaching", tags=tags, opts=child, **kw)

        for model in cfg.bedrock_models:
            slug = _slug(model)
            dims = {"ModelId": model}
            alarm(f"{slug}-latency", f"Bedrock {model}: InvocationLatency p90 above {t.latency_p90_ms:g} ms",
                  namespace="AWS/Bedrock", metric_name="InvocationLatency", dimensions=dims,
                  extended_statistic="p90", period=_PERIOD, evaluation_periods=t.evaluation_periods,
                  threshold=t.latency_p90_ms, comparison_operator="GreaterThanThreshold")
            for metric, threshold, suffix in (("InvocationThrottles", t.throttles, "throttles"),
                                           ("InvocationServerErrors", t.server_errors, "server-errors"),
                                           ("InvocationClientErrors", t.client_errors, "client-errors")):
                alarm(f"{slug}-{suffix}", f"Bedrock {model}: {metric} above {threshold:g} per {_PERIOD // 60} minutes",
                      namespace="AWS/Bedrock", metric_name=metric, dimensions=dims, statistic="Sum", period=_PERIOD,
                      evaluation_periods=t.evaluation_periods, threshold=threshold,
                      comparison_operator="GreaterThanThreshold")
        for group, asg in sorted(cfg.autoscaling_groups.items()):
            alarm(f"nodegroup-{group}-status", f"GPU node group {group}: an instance fails its EC2 status checks",
                  namespace="AWS/EC2", metric_name="StatusCheckFailed", dimensions={"AutoScalingGroupName": asg},
                  statistic="Maximum", period=_PERIOD, evaluation_periods=2, threshold=0,
                  comparison_operator="GreaterThanThreshold")
            if cfg.group_metrics_enabled:
                alarm(f"nodegroup-{group}-capacity",
                      f"GPU node group {group}: fewer instances in service than desired for 15 minutes",
                      evaluation_periods=3, threshold=0, comparison_operator="GreaterThanThreshold",
                      metric_queries=[
                          {"id": "desired", "metric": {"namespace": "AWS/AutoScaling", "metric_name":
                                                       "GroupDesiredCapacity", "period": _PERIOD, "stat": "Average",
                                                       "dimensions": {"AutoScalingGroupName": asg}}},
                          {"id": "inservice", "metric": {"namespace": "AWS/AutoScaling", "metric_name":
                                                         "GroupInServiceInstances", "period": _PERIOD,
                                                         "stat": "Average",
                                                         "dimensions": {"AutoScalingGroupName": asg}}},
                          {"id": "missing", "expression": "desired - inservice", "return_data": True,
                           "label": "instances missing"}])
        groups = sorted(cfg.autoscaling_groups.items())
        body = pulumi.Output.all(region, *[asg for _, asg in groups]).apply(
            lambda vs: bedrock_dashboard(list(cfg.bedrock_models), list(zip([g for g, _ in groups], vs[1:],
                                                                            strict=True)), vs[0]))
        self.dashboard = aws.cloudwatch.Dashboard(f"{name}-dashboard", dashboard_name=f"{name}-bedrock-gpu",
                                                  dashboard_body=body, opts=child)
        self.dashboard_name = self.dashboard.dashboard_name
        self.register_outputs({"topicArn": self.topic_arn, "kmsKeyArn": self.kms_key_arn,
                               "dashboardName": self.dashboard_name,
                               "alarms": sorted(self.alarms)})

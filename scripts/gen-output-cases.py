#!/usr/bin/env python3
"""Writes src/output/cases.json: inputs for the output layer's table tests with the exact
strings the installed AWS CLI v1's own formatters print for them (json, text, table), with
and without a --query. Run it with the Python that has awscli installed; the Rust tests read
the file as data (src/output/tests.rs)."""
import io, json, sys, types
from collections import OrderedDict

import jmespath
from awscli.formatter import get_formatter

CASES = [
    ("DescribeAlarms", {"MetricAlarms": [
        {"AlarmName": "cpu-high", "AlarmArn": "arn:aws:cloudwatch:us-east-1:123456789012:alarm:cpu-high",
         "ActionsEnabled": True, "OKActions": [], "AlarmActions": ["arn:aws:sns:us-east-1:123456789012:ops"],
         "StateValue": "ALARM", "StateUpdatedTimestamp": "2026-01-02T03:04:05.123000+00:00",
         "MetricName": "CPUUtilization", "Namespace": "AWS/EC2", "Statistic": "Average",
         "Dimensions": [{"Name": "InstanceId", "Value": "i-123"}], "Period": 300, "EvaluationPeriods": 1,
         "Threshold": 80.0, "ComparisonOperator": "GreaterThanThreshold"},
        {"AlarmName": "disk-low", "StateValue": "OK", "Dimensions": [], "Period": 60, "Threshold": 10.5,
         "ActionsEnabled": False}],
        "CompositeAlarms": []},
     [None, "MetricAlarms[].AlarmName", "MetricAlarms[].{Name: AlarmName, State: StateValue, T: Threshold}",
      "MetricAlarms[0]", "length(MetricAlarms)", "MetricAlarms[?StateValue=='ALARM'].Dimensions[]"]),
    ("GetCallerIdentity", {"UserId": "AKIAIOSFODNN7EXAMPLE", "Account": "123456789012",
                           "Arn": "arn:aws:sts::123456789012:user/moto"}, [None, "Account"]),
    ("ListTables", {"TableNames": ["alpha", "beta", "gamma"]}, [None, "TableNames[0]"]),
    ("DescribeLogGroups", {"logGroups": [
        {"logGroupName": "/aws/lambda/f\u00e9", "creationTime": 1700000000000, "metricFilterCount": 0,
         "arn": "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/f\u00e9:*", "storedBytes": 0},
        {"logGroupName": "/app/\u65e5\u672c\u8a9e", "creationTime": 1700000000001, "retentionInDays": 7,
         "metricFilterCount": 0, "storedBytes": 12}]}, [None, "logGroups[].[logGroupName, storedBytes]"]),
    ("GetItem", {"Item": {"pk": {"S": "a"}, "n": {"N": "1"}, "l": {"L": [{"S": "x"}, {"BOOL": True}]},
                          "m": {"M": {"inner": {"NULL": True}}}}}, [None]),
    ("Empty", {}, [None]),
    ("ListThings", {"Things": []}, [None, "Things"]),
    ("Nested", {"A": [[1, 2], [3, 4]], "B": [["x"], {"k": "v"}], "C": None, "D": 0.1, "E": 1e-7,
                "F": [{"a": 1}, {"b": [1, 2]}, {"a": 2, "c": {"d": "e"}}]}, [None, "A", "F"]),
    ("DescribeWide", {"Items": [{"Description": "x" * 70, "Name": "first", "Id": 1},
                                {"Description": "short", "Name": "second", "Id": 22}],
                      "Single": {"LongValueKey": "y" * 90, "Other": "z"}}, [None]),
    ("ScalarTop", {"Value": "just one"}, [None, "Value"]),
]

def run(fmt, op, response, query):
    args = types.SimpleNamespace(query=jmespath.compile(query) if query else None, color="off")
    stream = io.StringIO()
    formatter = get_formatter(fmt, args)
    formatter(op, json.loads(json.dumps(response), object_pairs_hook=OrderedDict), stream)
    return stream.getvalue()

out = []
for op, response, queries in CASES:
    for query in queries:
        entry = {"operation": op, "input": response, "query": query}
        for fmt in ("json", "text", "table"):
            try:
                entry[fmt] = run(fmt, op, response, query)
            except Exception as e:  # the CLI fails here too
                entry[fmt] = {"error": f"{type(e).__name__}: {e}"}
        out.append(entry)
json.dump(out, sys.stdout, indent=1, ensure_ascii=False)
sys.stdout.write("\n")

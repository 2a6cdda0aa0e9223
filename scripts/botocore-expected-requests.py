# Regenerates src/aws/testdata/botocore_requests.json: what botocore serialises for a few
# operations of each protocol (python3 scripts/botocore-expected-requests.py > that file).
import json, botocore.session
from botocore.serialize import create_serializer
from botocore.utils import percent_encode_sequence
from urllib.parse import urlencode
s = botocore.session.get_session()
cases = [
 ("cloudwatch","PutMetricAlarm",{"AlarmName":"high-cpu","MetricName":"CPUUtilization","Namespace":"AWS/EC2","Statistic":"Average","Period":60,"EvaluationPeriods":1,"Threshold":1.0,"ComparisonOperator":"GreaterThanThreshold","Dimensions":[{"Name":"InstanceId","Value":"i-1"}]}),
 ("cloudwatch","GetMetricStatistics",{"Namespace":"AWS/EC2","MetricName":"CPUUtilization","StartTime":"2024-01-02T03:04:05Z","EndTime":"1704168245","Period":300,"Statistics":["Average","Maximum"]}),
 ("logs","DescribeLogGroups",{"logGroupNamePrefix":"/aws/lambda/é","limit":2}),
 ("sns","CreateTopic",{"Name":"alerts","Attributes":{"DisplayName":"Ops alerts & more","FifoTopic":"false"},"Tags":[{"Key":"team","Value":"a b/c"}]}),
 ("sns","Publish",{"TopicArn":"arn:aws:sns:us-east-1:123456789012:t","Message":"hi","MessageAttributes":{"bin":{"DataType":"Binary","BinaryValue":"raw"}}}),
 ("cloudformation","ListStacks",{"StackStatusFilter":[]}),
 ("ec2","DescribeTags",{"Filters":[{"Name":"resource-id","Values":["vpc-1","vpc-2"]}],"MaxResults":5}),
 ("ec2","CreateTags",{"Resources":["vpc-1"],"Tags":[{"Key":"Name","Value":"x"}],"DryRun":False}),
 ("lambda","ListFunctions",{"MaxItems":10,"Marker":"m/1"}),
 ("lambda","GetFunction",{"FunctionName":"my:fn","Qualifier":"1"}),
 ("apigateway","CreateRestApi",{"name":"api","description":"d","binaryMediaTypes":["image/png"]}),
 ("s3","PutBucketTagging",{"Bucket":"b1","Tagging":{"TagSet":[{"Key":"team","Value":"<ops>"}]}}),
 ("s3","PutObject",{"Bucket":"b1","Key":"dir/a b+c.txt","Body":"hello","ContentType":"text/plain","Metadata":{"owner":"me"},"Expires":"2024-01-02T03:04:05Z"}),
 ("s3","ListObjectsV2",{"Bucket":"b1","Prefix":"dir/","MaxKeys":2}),
 ("route53","CreateHostedZone",{"Name":"example.com.","CallerReference":"ref-1","HostedZoneConfig":{"Comment":"c","PrivateZone":False}}),
]
out=[]
for svc, op, params in cases:
    m = s.get_service_model(svc)
    om = m.operation_model(op)
    ser = create_serializer(m.resolved_protocol if hasattr(m,'resolved_protocol') else m.protocol, include_validation=False)
    r = ser.serialize_to_request(dict(params), om)
    body = r['body']
    if isinstance(body, dict):
        body = urlencode(list(body.items()), doseq=True)
    elif isinstance(body, bytes):
        body = body.decode()
    path = r['url_path']
    if r['query_string']:
        qs = percent_encode_sequence(r['query_string'])
        path += ('&' if '?' in path else '?') + qs
    out.append(dict(service=svc, operation=op, params=params, method=r['method'], path=path, headers=list(r['headers'].items()), body=body))
print(json.dumps(out, indent=1))

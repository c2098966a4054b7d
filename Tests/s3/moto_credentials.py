"""Makes an IAM user with full S3 access on a moto server started with INITIAL_NO_AUTH_ACTION_COUNT=3, so that
every later request is authenticated: moto then checks each request's Signature Version 4 signature as S3 does.

Prints one JSON line: {"access_key_id": ..., "secret_access_key": ...}.
"""

import argparse
import json

import boto3

POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}],
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--endpoint", required=True)
    arguments = parser.parse_args()
    # The first three actions are taken without authentication (the server's INITIAL_NO_AUTH_ACTION_COUNT).
    iam = boto3.client(
        "iam",
        endpoint_url=arguments.endpoint,
        region_name="us-east-1",
        aws_access_key_id="bootstrap",
        aws_secret_access_key="bootstrap",
    )
    iam.create_user(UserName="trefoil")
    key = iam.create_access_key(UserName="trefoil")["AccessKey"]
    iam.put_user_policy(UserName="trefoil", PolicyName="s3", PolicyDocument=json.dumps(POLICY))
    print(json.dumps({"access_key_id": key["AccessKeyId"], "secret_access_key": key["SecretAccessKey"]}))


if __name__ == "__main__":
    main()

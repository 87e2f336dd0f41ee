"""Starts moto server with the few patches our tests rely on.

moto is the local AWS of this project (tests and `npm start`). Where it differs from AWS in a way
our code depends on, it is patched here, before the server starts, and nowhere else; each patch
of a behaviour has a test in tests/integration/moto-harness.int.test.ts (patch 7 changes speed
only, not an answer). Usage (or `npm run local-aws`):

    python3 local-aws/moto_launcher.py --host 127.0.0.1 --port 5000

With --exit-with-parent (the test harness) the server exits when its parent process does (stdin
closes), so no test run leaves one behind.
"""
import os
import sys
import threading

from moto.sagemaker import models as sm_models
from moto.sagemaker.exceptions import ValidationError
from moto.sagemaker.responses import SageMakerResponse


# 1. CreateModel drops EnableNetworkIsolation: moto's Model hard-codes it to False. AWS stores the
#    request's value (default false) and DescribeModel returns it.
_original_create_model = SageMakerResponse.create_model


def _create_model(self):  # type: ignore[no-untyped-def]
    result = _original_create_model(self)
    name = self._get_param("ModelName")
    model = self.sagemaker_backend._models.get(name)
    if model is not None:
        model.enable_network_isolation = bool(self._get_param("EnableNetworkIsolation", False))
    return result


SageMakerResponse.create_model = _create_model


# 2. AddTags/ListTags/DeleteTags on a model that does not exist answer 500 (moto dereferences None).
#    AWS answers 400 ValidationException. Model names are also matched case-insensitively, since
#    AWS writes them lower-cased in ARNs.
_original_get_resource = sm_models.SageMakerModelBackend._get_resource_from_arn


def _get_resource_from_arn(self, arn):  # type: ignore[no-untyped-def]
    target_resource, _, target_name = arn.split(":")[-1].partition("/")
    if target_resource == "model":
        for name, model in self._models.items():
            if name.lower() == target_name.lower():
                return model
        raise ValidationError(message=f"Could not find model \"{arn}\".")
    resource = _original_get_resource(self, arn)
    if resource is None:
        raise ValidationError(message=f"Could not find {target_resource} with name {target_name}")
    return resource


sm_models.SageMakerModelBackend._get_resource_from_arn = _get_resource_from_arn


# 3. AddTags appends, so tagging twice lists a key twice. AWS overwrites the value of a key that
#    is already there: quarantining twice must leave one tag.
def _add_tags(self, arn, tags):  # type: ignore[no-untyped-def]
    resource = self._get_resource_from_arn(arn)
    incoming = {tag["Key"]: tag for tag in tags}
    resource.tags = [tag for tag in resource.tags if tag["Key"] not in incoming] + list(incoming.values())
    return resource.tags


sm_models.SageMakerModelBackend.add_tags = _add_tags


# 4. SSM accepts `team/slack` as a parameter name. AWS requires a name with a slash to be fully
#    qualified (`/team/slack`) and answers ValidationException otherwise, for PutParameter and for
#    GetParameter(s): a test must not pass on a name that a deployment could never create.
from moto.ssm import models as ssm_models  # noqa: E402
from moto.ssm.exceptions import ValidationException as SsmValidationException  # noqa: E402


def _require_qualified(name):  # type: ignore[no-untyped-def]
    bare = name.split(":")[0] if not name.startswith("arn:") else None
    if bare is not None and "/" in bare and not bare.startswith("/"):
        raise SsmValidationException("Parameter name must be a fully qualified name.")


_original_put_parameter = ssm_models.SimpleSystemManagerBackend.put_parameter
_original_get_parameters = ssm_models.SimpleSystemManagerBackend.get_parameters
_original_get_parameter = ssm_models.SimpleSystemManagerBackend.get_parameter


def _put_parameter(self, name, *args, **kwargs):  # type: ignore[no-untyped-def]
    _require_qualified(name)
    return _original_put_parameter(self, name, *args, **kwargs)


def _get_parameters(self, names, *args, **kwargs):  # type: ignore[no-untyped-def]
    for name in names:
        _require_qualified(name)
    return _original_get_parameters(self, names, *args, **kwargs)


def _get_parameter(self, name, *args, **kwargs):  # type: ignore[no-untyped-def]
    _require_qualified(name)
    return _original_get_parameter(self, name, *args, **kwargs)


ssm_models.SimpleSystemManagerBackend.put_parameter = _put_parameter
ssm_models.SimpleSystemManagerBackend.get_parameters = _get_parameters
ssm_models.SimpleSystemManagerBackend.get_parameter = _get_parameter


# 5. Athena GetQueryResults ignores MaxResults and NextToken and answers every row at once. AWS
#    pages them (1,000 rows at most a page); the audit reads them with the SDK's paginator. The
#    rows themselves are injected through moto's /moto-api/static/athena/query-results.
import json as _json

from moto.athena.responses import AthenaResponse

_original_get_query_results = AthenaResponse.get_query_results


def _get_query_results(self):  # type: ignore[no-untyped-def]
    everything = _json.loads(_original_get_query_results(self))
    rows = everything["ResultSet"]["Rows"]
    size = int(self._get_param("MaxResults") or 1000)
    start = int(self._get_param("NextToken") or 0)
    everything["ResultSet"]["Rows"] = rows[start:start + size]
    if start + size < len(rows):
        everything["NextToken"] = str(start + size)
    return _json.dumps(everything)


AthenaResponse.get_query_results = _get_query_results


# 6. DynamoDB requests are not atomic: moto's handlers read, change and write an item with no lock,
#    so two UpdateItem ADDs on one key can count once, and two PutItems with attribute_not_exists
#    can both succeed, when the server's threads switch mid-request. In AWS every single-item write
#    is atomic: the sweep's unit counter and the step ledger's claims rely on it. One lock serialises
#    DynamoDB requests here (tests make few of them). ISOLATION_GUARD_MOTO_SWITCH_INTERVAL (seconds)
#    makes the threads switch far more often than Python's 5 ms, so a harness test can show the lock holds.
from moto.dynamodb.responses import DynamoHandler  # noqa: E402

_dynamodb_lock = threading.Lock()
_original_dynamodb_call_action = DynamoHandler.call_action


def _dynamodb_call_action(self):  # type: ignore[no-untyped-def]
    with _dynamodb_lock:
        return _original_dynamodb_call_action(self)


DynamoHandler.call_action = _dynamodb_call_action

if os.environ.get("ISOLATION_GUARD_MOTO_SWITCH_INTERVAL"):
    sys.setswitchinterval(float(os.environ["ISOLATION_GUARD_MOTO_SWITCH_INTERVAL"]))


# 7. Speed only, no behaviour: jsonpath_ng builds its PLY parser tables anew for every parse()
#    (about 140 ms of CPU), and moto's EventBridge parses eight JSONPaths for each target of each
#    PutEvents: one enforce event cost a second of moto's CPU, most of the sweep test's. The parsed
#    expressions are immutable (find() reads them), so one per distinct path is kept.
import functools  # noqa: E402

import jsonpath_ng  # noqa: E402
import jsonpath_ng.ext  # noqa: E402

jsonpath_ng.ext.parse = functools.lru_cache(maxsize=1024)(jsonpath_ng.ext.parse)
jsonpath_ng.parse = functools.lru_cache(maxsize=1024)(jsonpath_ng.parse)

#    Two more things moto recomputes for every request, both fixed once the server has started:
#    the list of its own service folders (a directory listing and a stat per folder, to route the
#    request: a sixth of its CPU in the test suite) and the method names of a response class.
from moto import backends as _moto_backends  # noqa: E402
from moto.core import responses as _moto_responses  # noqa: E402

_moto_modules = tuple(_moto_backends.list_of_moto_modules())
_moto_backends.list_of_moto_modules = lambda: _moto_modules
_moto_responses.method_names_from_class = functools.lru_cache(maxsize=None)(_moto_responses.method_names_from_class)


# 8. Security Hub's BatchImportFindings imports any finding under any product ARN. AWS requires,
#    under an account's default product (`product/<account>/default`), that the product be the
#    calling account's own, in the region called, and that each finding's AwsAccountId be the
#    calling account: a central account importing a member account's finding is refused, finding
#    by finding (FailedFindings, HTTP 200), which an organisation set-up must not rely on.
from moto.securityhub import models as securityhub_models  # noqa: E402
import re as _re  # noqa: E402

_original_batch_import_findings = securityhub_models.SecurityHubBackend.batch_import_findings
_DEFAULT_PRODUCT = _re.compile(r"^arn:aws[a-z-]*:securityhub:([a-z0-9-]+):(\d{12}):product/(\d{12})/default$")


def _batch_import_findings(self, findings):  # type: ignore[no-untyped-def]
    allowed, refused = [], []
    for finding in findings:
        product = _DEFAULT_PRODUCT.match(str(finding.get("ProductArn", "")))
        problem = None
        if product is not None and (product.group(1) != self.region_name or product.group(2) != self.account_id or product.group(3) != self.account_id):
            problem = f"ProductArn {finding.get('ProductArn')} is not the default product of the calling account {self.account_id} in {self.region_name}"
        elif product is not None and finding.get("AwsAccountId") != self.account_id:
            problem = f"AwsAccountId {finding.get('AwsAccountId')} is not the calling account {self.account_id} (default product)"
        if problem is None:
            allowed.append(finding)
        else:
            refused.append({"Id": finding.get("Id", ""), "ErrorCode": "AccessDeniedException", "ErrorMessage": problem})
    failed, succeeded, failures = _original_batch_import_findings(self, allowed)
    return failed + len(refused), succeeded, failures + refused


securityhub_models.SecurityHubBackend.batch_import_findings = _batch_import_findings


# 9. Opt-in regions: moto answers every region for every account. In AWS an opt-in region (Cape
#    Town, Hong Kong, Bahrain, Tel Aviv, ...) answers every call of an account that has not enabled
#    it with UnrecognizedClientException (JSON protocols, HTTP 400) or InvalidClientTokenId (query
#    and REST protocols, HTTP 403), and account:ListRegions says which regions are enabled. Here too:
#    an account enables one with account:EnableRegion (kept on its account backend, so a reset
#    clears it), ListRegions lists them with their status. Global services (IAM, STS, Organizations,
#    Account) are not regional and always answer.
from moto.account import responses as account_responses  # noqa: E402
from moto.account import urls as account_urls  # noqa: E402
from moto.account.models import account_backends as _account_backends  # noqa: E402
from moto.core import responses as _core_responses  # noqa: E402

OPT_IN_REGIONS = (
    "af-south-1", "ap-east-1", "ap-south-2", "ap-southeast-3", "ap-southeast-4", "ap-southeast-5", "ap-southeast-7",
    "ca-west-1", "eu-central-2", "eu-south-1", "eu-south-2", "il-central-1", "me-central-1", "me-south-1", "mx-central-1",
)
_ALWAYS_ENABLED = (
    "us-east-1", "us-east-2", "us-west-1", "us-west-2", "ap-south-1", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
    "ap-southeast-1", "ap-southeast-2", "ca-central-1", "eu-central-1", "eu-west-1", "eu-west-2", "eu-west-3", "eu-north-1", "sa-east-1",
)
_GLOBAL_SERVICES = {"iam", "sts", "organizations", "account", "moto_api", "s3"}


def _enabled_opt_in(account_id):  # type: ignore[no-untyped-def]
    backend = _account_backends[account_id]["aws"]
    if not hasattr(backend, "isolation_guard_enabled_regions"):
        backend.isolation_guard_enabled_regions = set()
    return backend.isolation_guard_enabled_regions


def _enable_region(self):  # type: ignore[no-untyped-def]
    region = self._get_param("RegionName")
    if region in OPT_IN_REGIONS:
        _enabled_opt_in(self._get_param("AccountId") or self.current_account).add(region)
    return 200, {}, ""


def _list_regions(self):  # type: ignore[no-untyped-def]
    enabled = _enabled_opt_in(self._get_param("AccountId") or self.current_account)
    wanted = self._get_param("RegionOptStatusContains") or []
    regions = [{"RegionName": r, "RegionOptStatus": "ENABLED_BY_DEFAULT"} for r in _ALWAYS_ENABLED]
    regions += [{"RegionName": r, "RegionOptStatus": "ENABLED" if r in enabled else "DISABLED"} for r in OPT_IN_REGIONS]
    if wanted:
        regions = [r for r in regions if r["RegionOptStatus"] in wanted]
    return 200, {}, _json.dumps({"Regions": regions})


account_responses.AccountResponse.enable_region = _enable_region
account_responses.AccountResponse.list_regions = _list_regions
account_urls.url_paths["{0}/enableRegion$"] = account_responses.AccountResponse.dispatch
account_urls.url_paths["{0}/listRegions$"] = account_responses.AccountResponse.dispatch

_original_call_action = _core_responses.BaseResponse.call_action


def _call_action(self):  # type: ignore[no-untyped-def]
    region = getattr(self, "region", None)
    if region in OPT_IN_REGIONS and self.service_name not in _GLOBAL_SERVICES and region not in _enabled_opt_in(self.current_account):
        if self.headers.get("X-Amz-Target") or "json" in str(self.headers.get("Content-Type", "")):
            body = _json.dumps({"__type": "UnrecognizedClientException", "message": "The security token included in the request is invalid."})
            return 400, {"Content-Type": "application/x-amz-json-1.1", "x-amzn-ErrorType": "UnrecognizedClientException"}, body
        body = ("<ErrorResponse><Error><Type>Sender</Type><Code>InvalidClientTokenId</Code>"
                "<Message>The security token included in the request is invalid.</Message></Error></ErrorResponse>")
        return 403, {"Content-Type": "text/xml"}, body
    return _original_call_action(self)


_core_responses.BaseResponse.call_action = _call_action


# 10. UpdateEndpoint is not implemented (moto answers "not yet implemented"); `isolation-guard fix`
#    moves endpoints with it. As AWS documents: the endpoint must exist and be InService (else a
#    ValidationException), the new config must exist; the endpoint takes the config's variants and
#    is `Updating` until the deployment ends, then `InService` on the new config. Here the update
#    completes at once: the first DescribeEndpoint after it answers `Updating`, the next `InService`.
#    Shadow variants are kept too: moto's CreateEndpointConfig drops ShadowProductionVariants, which
#    DescribeEndpointConfig returns in AWS.
from moto.core.responses import ActionResult  # noqa: E402
from moto.core.utils import utcnow  # noqa: E402


def _update_endpoint(self):  # type: ignore[no-untyped-def]
    backend = self.sagemaker_backend
    name = self._get_param("EndpointName")
    config_name = self._get_param("EndpointConfigName")
    endpoint = backend.endpoints.get(name)
    if endpoint is None:
        arn = sm_models.FakeEndpoint.arn_formatter(name, backend.account_id, backend.region_name)
        raise ValidationError(message=f"Could not find endpoint \"{arn}\".")
    config = backend.endpoint_configs.get(config_name)
    if config is None:
        arn = sm_models.FakeEndpointConfig.arn_formatter(config_name, backend.account_id, backend.region_name)
        raise ValidationError(message=f"Could not find endpoint configuration \"{arn}\".")
    if endpoint.endpoint_status != "InService":
        raise ValidationError(message=f"Cannot update in-progress endpoint \"{endpoint.arn}\".")
    endpoint.endpoint_config_name = config_name
    endpoint.production_variants = endpoint._process_production_variants(config.production_variants)
    endpoint.data_capture_config = config.data_capture_config
    endpoint.endpoint_status = "Updating"
    endpoint.last_modified_time = utcnow()
    return ActionResult({"EndpointArn": endpoint.arn})


SageMakerResponse.update_endpoint = _update_endpoint
_original_describe_endpoint = sm_models.SageMakerModelBackend.describe_endpoint


def _describe_endpoint(self, endpoint_name):  # type: ignore[no-untyped-def]
    response = _original_describe_endpoint(self, endpoint_name)
    endpoint = self.endpoints[endpoint_name]
    if endpoint.endpoint_status == "Updating":
        endpoint.endpoint_status = "InService"
    return response


sm_models.SageMakerModelBackend.describe_endpoint = _describe_endpoint
_original_create_endpoint_config = SageMakerResponse.create_endpoint_config
_original_describe_endpoint_config = sm_models.SageMakerModelBackend.describe_endpoint_config


def _create_endpoint_config(self):  # type: ignore[no-untyped-def]
    shadow = self._get_param("ShadowProductionVariants") or []
    self.sagemaker_backend.validate_production_variants(shadow)
    result = _original_create_endpoint_config(self)
    config = self.sagemaker_backend.endpoint_configs.get(self._get_param("EndpointConfigName"))
    if config is not None:
        config.shadow_production_variants = shadow
    return result


def _describe_endpoint_config(self, endpoint_config_name):  # type: ignore[no-untyped-def]
    response = dict(_original_describe_endpoint_config(self, endpoint_config_name))
    shadow = getattr(self.endpoint_configs[endpoint_config_name], "shadow_production_variants", [])
    if shadow:
        response["ShadowProductionVariants"] = shadow
    return response


SageMakerResponse.create_endpoint_config = _create_endpoint_config
sm_models.SageMakerModelBackend.describe_endpoint_config = _describe_endpoint_config


def _exit_with_parent() -> None:
    # The test harness keeps our stdin open; when it goes away (even killed), stdin reaches EOF.
    try:
        sys.stdin.read()
    finally:
        os._exit(0)


if __name__ == "__main__":
    from moto.server import main

    args = sys.argv[1:]
    # The test harness passes --exit-with-parent and keeps our stdin open; run by hand (README,
    # "Try it by hand"), the server runs until it is stopped (Ctrl-C), with or without a terminal.
    if "--exit-with-parent" in args:
        args.remove("--exit-with-parent")
        threading.Thread(target=_exit_with_parent, daemon=True).start()
    main(args)

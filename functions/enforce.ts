import { createEnforceClients } from '../shared/aws/clients.js';
import { loadConfig } from '../shared/config.js';
import { withExceptionRegister } from '../shared/governance/exception-register.js';
import { createEnforceHandler, ENFORCE_REQUEST_BOUNDS } from '../shared/lambda/enforce-handler.js';

// Read once per cold start, with the exception register packaged beside the code (README "Exceptions"):
// a bad setting or register fails the start-up with its name, before any event. Requests are bounded
// (2 s each, 5 attempts): a hanging dependency ends in an unconfirmed alert well inside the function's
// 30 s timeout (README, "Failure modes"). Only the SDK clients enforce uses are bundled.
export const handler = createEnforceHandler({
  config: withExceptionRegister(loadConfig({ env: process.env })),
  clients: createEnforceClients({ requestHandler: ENFORCE_REQUEST_BOUNDS }),
});

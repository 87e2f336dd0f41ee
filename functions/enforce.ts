import { createAwsClients } from '../shared/aws/clients.js';
import { loadConfig } from '../shared/config.js';
import { createEnforceHandler, ENFORCE_REQUEST_BOUNDS } from '../shared/lambda/enforce-handler.js';

// Read once per cold start: a bad setting fails the start-up with its name, before any event.
// Requests are bounded (2 s each, 5 attempts): a hanging dependency ends in an unconfirmed alert
// well inside the function's 30 s timeout (README, "Failure modes").
export const handler = createEnforceHandler({
  config: loadConfig({ env: process.env }),
  clients: createAwsClients({ requestHandler: ENFORCE_REQUEST_BOUNDS }),
});

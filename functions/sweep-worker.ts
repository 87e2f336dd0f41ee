import { createAwsClients } from '../shared/aws/clients.js';
import { loadConfig } from '../shared/config.js';
import { withExceptionRegister } from '../shared/governance/exception-register.js';
import { createSweepWorkerHandler } from '../shared/lambda/sweep-fanout-handler.js';

// Read once per cold start, with the exception register packaged beside the code (its units decide with it, its merges remind): a bad setting or register fails the start-up with its name.
export const handler = createSweepWorkerHandler({ config: withExceptionRegister(loadConfig({ env: process.env })), clients: createAwsClients() });

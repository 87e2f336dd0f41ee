import { createAwsClients } from '../shared/aws/clients.js';
import { loadConfig } from '../shared/config.js';
import { withExceptionRegister } from '../shared/governance/exception-register.js';
import { createSweepHandler } from '../shared/lambda/sweep-handler.js';

// Read once per cold start, with the exception register packaged beside the code (README "Exceptions"): a bad setting or register fails the start-up with its name.
export const handler = createSweepHandler({ config: withExceptionRegister(loadConfig({ env: process.env })), clients: createAwsClients() });

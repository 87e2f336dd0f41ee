import { createAwsClients } from '../shared/aws/clients.js';
import { loadConfig } from '../shared/config.js';
import { withExceptionRegister } from '../shared/governance/exception-register.js';
import { createHistoryHandler } from '../shared/lambda/history-handler.js';

// Read once per cold start, with the exception register packaged beside the code (README "Exceptions"): a bad setting or register fails the start-up with its name.
export const handler = createHistoryHandler({ config: withExceptionRegister(loadConfig({ env: process.env })), clients: createAwsClients() });

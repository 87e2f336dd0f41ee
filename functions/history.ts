import { createAwsClients } from '../shared/aws/clients.js';
import { loadConfig } from '../shared/config.js';
import { createHistoryHandler } from '../shared/lambda/history-handler.js';

// Read once per cold start: a bad setting fails the start-up with its name.
export const handler = createHistoryHandler({ config: loadConfig({ env: process.env }), clients: createAwsClients() });

import { createEnforceClients } from '../shared/aws/clients.js';
import { loadConfig } from '../shared/config.js';
import { createEnforceHandler } from '../shared/lambda/enforce-handler.js';

// Read once per cold start: a bad setting fails the start-up with its name, before any event.
export const handler = createEnforceHandler({ config: loadConfig({ env: process.env }), clients: createEnforceClients() });

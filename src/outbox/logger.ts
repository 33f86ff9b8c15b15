export { type ComponentLogger as Logger, noopLogger } from '../log/component-logger.js';

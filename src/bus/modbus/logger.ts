export { type ComponentLogger as BusLogger, noopLogger as silentLogger } from '../../log/component-logger.js';

export { AppConfig, loadConfig, ConfigError } from './app-config.js';
export { ConfigModule } from './config.module.js';

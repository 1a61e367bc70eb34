export { checkRedis, RedisSetupError, withoutPassword } from './redis-check.js';

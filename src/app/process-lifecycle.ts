import { ConfigError } from '../config/config-error.js';
import type { PortierConfig } from '../config/portier-config.js';
import type { Logger } from '../log/logger.js';
import type { DoorStation } from './door-station.js';

/** Options of {@link runUntilStopped}. */
export interface ProcessLifecycleOptions {
  logger: Logger;
  /** Re-reads and validates the configuration for SIGHUP; without it SIGHUP is only logged. */
  reloadConfig?: () => Promise<PortierConfig>;
  /** Called once a stop begins (e.g. to stop a display). */
  onStop?: () => void | Promise<void>;
  /** Resolving this stops the station as a signal would (e.g. `q` in the simulation). */
  stopRequested?: Promise<void>;
}

/**
 * Runs a started door station as the process's main job: SIGHUP reloads (a file
 * that fails validation keeps the running configuration), SIGTERM/SIGINT stop it
 * (STOPPING=1, hang up, un-register, relays off) with exit code 0, and an uncaught
 * exception drives every output inactive before the process dies with code 70,
 * so systemd restarts it with the door locked.
 */
export function runUntilStopped(station: DoorStation, options: ProcessLifecycleOptions): Promise<number> {
  const { logger } = options;
  return new Promise<number>((resolve) => {
    let stopping = false;
    const onHup = () => {
      if (!options.reloadConfig) {
        logger.info('SIGHUP: nothing to reload (no configuration file)');
        return;
      }
      logger.info('SIGHUP: reloading the configuration');
      options
        .reloadConfig()
        .then((next) => station.reload(next))
        .catch((error: unknown) => {
          if (error instanceof ConfigError) {
            logger.error('reload refused; the running configuration stays in effect', { problems: error.issues.length });
            process.stderr.write(`${error.message}\n`);
          } else {
            logger.error('reload failed; the running configuration stays in effect', { error: error as Error });
          }
          station.status.recordError('reload', error);
        });
    };
    const stop = (why: string) => {
      if (stopping) {
        // A second signal while stopping: do not wait for un-REGISTER any longer.
        station.failSafe();
        process.exit(1);
      }
      stopping = true;
      logger.info(`${why}: stopping`);
      void (async () => {
        try {
          await options.onStop?.();
          await station.stop();
        } catch (error) {
          logger.error('error while stopping', { error: error as Error });
        } finally {
          detach();
          resolve(0);
        }
      })();
    };
    const onTerm = () => stop('SIGTERM');
    const onInt = () => stop('SIGINT');
    const onCrash = (error: unknown) => {
      station.failSafe();
      process.stderr.write(`portier: fatal: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(70);
    };
    const detach = () => {
      process.off('SIGHUP', onHup);
      process.off('SIGTERM', onTerm);
      process.off('SIGINT', onInt);
      process.off('uncaughtException', onCrash);
      process.off('unhandledRejection', onCrash);
    };
    process.on('SIGHUP', onHup);
    process.on('SIGTERM', onTerm);
    process.on('SIGINT', onInt);
    process.on('uncaughtException', onCrash);
    process.on('unhandledRejection', onCrash);
    void options.stopRequested?.then(() => stop('quit'));
  });
}

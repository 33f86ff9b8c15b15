/** Where the service's configuration lives on a gateway (systemd ConfigurationDirectory=hearth). */
export const DEFAULT_CONFIG = '/etc/hearth/hearth.yaml';

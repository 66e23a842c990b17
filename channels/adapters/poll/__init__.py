"""The poll every polled platform shares: the engine (`engine`), the base its adapters declare their part on
(`adapter`), and the recurring shapes of a stream's walk (`walks`)."""

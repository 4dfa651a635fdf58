import CHTSlib

/// htslib reports problems on stderr by itself; crick reports them once, as typed errors.
enum HTSLog {
    /// Silences htslib's own logging (idempotent, thread-safe through `static let`).
    static let silenced: Void = {
        hts_set_log_level(HTS_LOG_OFF)
    }()
}

/* config.c — the defaults of tripod_config (config.h). */
#include "app/config.h"

#include <string.h>

void config_defaults(tripod_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->db_pool = 8;
    cfg->public_url = "http://localhost:8080";
    cfg->sync_interval_s = 300;
    cfg->sync_timeout_s = 20;
    cfg->recheck_timeout_s = 5;
    cfg->outbox_backoff_base_s = 5;
    cfg->outbox_backoff_max_s = 3600;
    cfg->outbox_lease_s = 120;
    cfg->rate_limit = 120;
    cfg->geocoder_user_agent = "Tripod/1.0 (self-service shoot booking)";
    cfg->geocoder_interval_ms = 1000;
    cfg->geocoder_cache_days = 30;
    cfg->tile_attribution = "&copy; OpenStreetMap contributors";
}

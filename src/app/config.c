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
    cfg->max_conn_per_client = 128;
    cfg->max_connections = 10000;
    cfg->header_timeout_s = 10;
    cfg->body_timeout_s = 30;
    cfg->idle_timeout_s = 30;
    cfg->geocoder_user_agent = "Tripod/1.0 (self-service shoot booking)";
    cfg->geocoder_interval_ms = 1000;
    cfg->geocoder_cache_days = 30;
    cfg->tile_attribution = "&copy; OpenStreetMap contributors";
    cfg->google_auth_url = "https://accounts.google.com/o/oauth2/v2/auth";
    cfg->google_token_url = "https://oauth2.googleapis.com/token";
    cfg->google_api_url = "https://www.googleapis.com/calendar/v3";
    cfg->ms_tenant = "common";
    cfg->ms_login_url = "https://login.microsoftonline.com";
    cfg->ms_graph_url = "https://graph.microsoft.com/v1.0";
}

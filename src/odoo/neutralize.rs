//! Odoo's per-module neutralization (`odoo-bin neutralize`, Odoo 16+): the
//! statements of every Community module's `data/neutralize.sql`, per major
//! version, in one table. Odoo runs the file of every installed module; so
//! does tenantctl, in the identity transaction of `duplicate --neutralize`
//! (see `lifecycle::regenerate`), under the guard of every table written.
//!
//! Where they come from (read from Odoo's source, Community addons only):
//! - 16.0, 17.0 and 19.0: every `addons/*/data/neutralize.sql` and
//!   `odoo/addons/base/data/neutralize.sql` of a 16.0, a 17.0 and a 19.0
//!   tree;
//! - 18.0: every 18.0 row checked, statement by statement, against every
//!   `addons/*/data/neutralize.sql` and `odoo/addons/base/data/neutralize.sql`
//!   of github.com/dglezz1/odoo-18.0 at 2268dca3b2af20bfadd08000b4b49459b93ecb06
//!   (Odoo's 18.0 Community tree of August 2025, `release.py` 18.0 final;
//!   its 58 files are byte-identical to those of github.com/hlaadhari/odoo-18.0
//!   at 1b5d156449e9794be555824400d9920c5670aef2, and a superset of the
//!   18.0.post20250421 nightly, which lacks only `google_recaptcha`,
//!   `l10n_es_edi_verifactu` and `website_cf_turnstile`). Every 18.0 row is
//!   that tree's file but three, which later 18.0 builds changed and which
//!   are kept as the newer statement (the same as 19.0's, read in a 19.0 tree
//!   of March 2026; the August 2025 tree has the older one): `mail` deletes
//!   `mail_push_device` rows where that tree had `TRUNCATE ... CASCADE`
//!   (odoo/odoo#241535, December 2025: the cascade emptied any table with a
//!   many2one to it, e.g. a custom field on res.users);
//!   `account_edi_proxy_client` puts Peppol and Nemhandel users in `demo`
//!   where that tree had only the Italian one (odoo/odoo#226435, September
//!   2025); `account_peppol` (no file in that tree) sets its mode parameter
//!   (odoo/odoo#226435 `test`, then #246181, January 2026, `demo`). The
//!   later 18.0 text of these three was seen only through a fork merging
//!   upstream 18.0 (informaticeng0011/odoo_18.0), not in a clean tree.
//!   The tree's `base` file is `lifecycle`'s core part (below) plus the
//!   webhook row; its `mail` file also switches `fetchmail_server` off
//!   (`lifecycle`). Gone by 18.0 (no module in the tree): `payment_alipay`,
//!   `payment_ogone`, `payment_payulatam`, `payment_payumoney`,
//!   `payment_sips`; 18.0 only: `payment_razorpay_oauth` (merged into
//!   `payment_razorpay`'s file by 19.0) and `l10n_tr_nilvera`'s
//!   `l10n_tr_nilvera_environment` (19.0: `l10n_tr_nilvera_use_test_env`).
//!   A statement whose table or column a build lacks (an older 18.0 build)
//!   is skipped and said, never fatal.
//! - The banner: 18.0's `addons/web/views/neutralize_views.xml` defines the
//!   QWeb view `web.neutralize_banner` (key `web.neutralize_banner`,
//!   inheriting `web.layout`, `active="False"`: a red "Database neutralized
//!   for testing: no emails sent, etc." bar in every page and a robots
//!   `noindex` meta); Odoo's neutralization (`odoo/modules/neutralize.py`,
//!   called by `odoo/service/db.py` for duplicate and restore and by
//!   `odoo-bin neutralize`) switches it on only through web's
//!   `data/neutralize.sql` (`UPDATE ir_ui_view SET active = true WHERE key =
//!   'web.neutralize_banner'`), the row below. Odoo runs the file of every
//!   module in state `installed`, `to upgrade` or `to remove` (16.0, 18.0,
//!   19.0), as does [`plan`].
//! - Seen on real Odoo (prefork, 2 workers, December 2026): 16.0
//!   (vankai-48f1/odoo-16.0 at f5ca52d5, `web` installed) and 18.0 (the tree
//!   above; `web`, `mail`, `auth_oauth`, `iap`, `certificate`,
//!   `payment_razorpay_oauth`): a copy made by `duplicate --neutralize` shows
//!   the banner on `/web/login` and in the web client exactly as a copy made
//!   by Odoo's own neutralizing duplicate (16.0: "This database is
//!   neutralized."; 18.0: the text above and the robots meta); on 18.0 both
//!   copies agreed on every row the statements write (providers, tokens,
//!   devices, jobs, mail servers, parameters), the source showing none of it.
//!
//! Version quirks live here and only here. Not repeated here: what
//! `lifecycle.rs` already does for `base` and `mail` (scheduled actions off
//! but `base.autovacuum_job`, mail servers off plus the dummy one,
//! `fetchmail_server` off, `database.is_neutralized`).
//!
//! The statements are Odoo's, written with `ONLY public.` as every write of
//! tenantctl is (see `guard`); `tables` lists every table a statement
//! writes (TRUNCATE ... CASCADE: the referencing tables too), for the guard.

use std::time::Duration;

use tokio_postgres::types::Type;
use tokio_postgres::{GenericClient, Transaction};

use super::{major_from_version, within};

/// One module's `data/neutralize.sql` for majors `from..=to`.
#[derive(Debug)]
pub struct Module {
    pub name: &'static str,
    pub from: u32,
    pub to: u32,
    /// Every table the statements write.
    pub tables: &'static [&'static str],
    pub statements: &'static [&'static str],
}

/// The oldest and newest majors the table knows; newer builds (saas~19.x,
/// 20) get the newest statements, older ones (no `odoo-bin neutralize`
/// before 16) none.
pub const FIRST: u32 = 16;
pub const LAST: u32 = 19;

#[rustfmt::skip]
pub const MODULES: &[Module] = &[
    // addons/account_edi_proxy_client/data/neutralize.sql (16.0)
    Module { name: "account_edi_proxy_client", from: 16, to: 16, tables: &["ir_config_parameter"], statements: &[
        "INSERT INTO public.ir_config_parameter (key, value) VALUES ('account_edi_proxy_client.demo', true) ON CONFLICT (key) DO UPDATE SET value = true",
    ] },
    // addons/account_edi_proxy_client/data/neutralize.sql (17.0)
    Module { name: "account_edi_proxy_client", from: 17, to: 17, tables: &["account_edi_proxy_client_user"], statements: &[
        "UPDATE ONLY public.account_edi_proxy_client_user SET edi_mode = CASE WHEN proxy_type = 'l10n_it_edi' THEN 'demo' ELSE 'test' END",
    ] },
    // addons/account_edi_proxy_client/data/neutralize.sql (18.0 to 19.0)
    Module { name: "account_edi_proxy_client", from: 18, to: 19, tables: &["account_edi_proxy_client_user"], statements: &[
        "UPDATE ONLY public.account_edi_proxy_client_user SET edi_mode = CASE WHEN proxy_type IN ('l10n_it_edi', 'peppol', 'nemhandel') THEN 'demo' ELSE 'test' END WHERE proxy_type != 'l10n_my_edi'",
    ] },
    // addons/account_peppol/data/neutralize.sql (18.0 to 19.0)
    Module { name: "account_peppol", from: 18, to: 19, tables: &["ir_config_parameter"], statements: &[
        "INSERT INTO public.ir_config_parameter (key, value) VALUES ('account_peppol.edi.mode', 'demo') ON CONFLICT (key) DO UPDATE SET VALUE = 'demo'",
    ] },
    // addons/auth_oauth/data/neutralize.sql (16.0 to 19.0)
    Module { name: "auth_oauth", from: 16, to: 19, tables: &["auth_oauth_provider"], statements: &[
        "UPDATE ONLY public.auth_oauth_provider SET enabled = false",
    ] },
    // odoo/addons/base/data/neutralize.sql (17.0 to 19.0)
    Module { name: "base", from: 17, to: 19, tables: &["ir_act_server"], statements: &[
        "UPDATE ONLY public.ir_act_server SET webhook_url = 'neutralization - disable webhook' WHERE state = 'webhook'",
    ] },
    // addons/certificate/data/neutralize.sql (18.0 to 19.0)
    Module { name: "certificate", from: 18, to: 19, tables: &["certificate_certificate", "certificate_key"], statements: &[
        "UPDATE ONLY public.certificate_certificate SET pkcs12_password = 'dummy'",
        "UPDATE ONLY public.certificate_key SET password = 'dummy'",
    ] },
    // addons/cloud_storage/data/neutralize.sql (18.0 to 19.0)
    Module { name: "cloud_storage", from: 18, to: 19, tables: &["ir_config_parameter"], statements: &[
        "DELETE FROM ONLY public.ir_config_parameter WHERE key = 'cloud_storage_provider'",
    ] },
    // addons/cloud_storage_azure/data/neutralize.sql (18.0 to 19.0)
    Module { name: "cloud_storage_azure", from: 18, to: 19, tables: &["ir_config_parameter"], statements: &[
        "DELETE FROM ONLY public.ir_config_parameter WHERE key IN ('cloud_storage_azure_account_name', 'cloud_storage_azure_container_name', 'cloud_storage_azure_tenant_id', 'cloud_storage_azure_client_id', 'cloud_storage_azure_client_secret')",
    ] },
    // addons/cloud_storage_google/data/neutralize.sql (18.0 to 19.0)
    Module { name: "cloud_storage_google", from: 18, to: 19, tables: &["ir_config_parameter"], statements: &[
        "DELETE FROM ONLY public.ir_config_parameter WHERE key = 'cloud_storage_google_bucket_name' OR key = 'cloud_storage_google_account_info'",
    ] },
    // addons/delivery/data/neutralize.sql (16.0)
    Module { name: "delivery", from: 16, to: 16, tables: &["delivery_carrier"], statements: &[
        "UPDATE ONLY public.delivery_carrier SET prod_environment = false, active = false",
    ] },
    // addons/delivery/data/neutralize.sql (17.0 to 19.0)
    Module { name: "delivery", from: 17, to: 19, tables: &["delivery_carrier"], statements: &[
        "UPDATE ONLY public.delivery_carrier SET prod_environment = false",
        "UPDATE ONLY public.delivery_carrier SET active = false WHERE delivery_type NOT IN ('fixed', 'base_on_rule')",
    ] },
    // addons/delivery_mondialrelay/data/neutralize.sql (17.0 to 19.0)
    Module { name: "delivery_mondialrelay", from: 17, to: 19, tables: &["delivery_carrier"], statements: &[
        "UPDATE ONLY public.delivery_carrier SET mondialrelay_brand = 'BDTEST  '",
    ] },
    // addons/google_address_autocomplete/data/neutralize.sql (19.0)
    Module { name: "google_address_autocomplete", from: 19, to: 19, tables: &["ir_config_parameter"], statements: &[
        "UPDATE ONLY public.ir_config_parameter SET value = 'dummy' WHERE key = 'google_address_autocomplete.google_places_api_key'",
    ] },
    // addons/google_calendar/data/neutralize.sql (16.0 to 17.0)
    Module { name: "google_calendar", from: 16, to: 17, tables: &["google_calendar_credentials"], statements: &[
        "UPDATE ONLY public.google_calendar_credentials SET calendar_rtoken = NULL, calendar_token = NULL, synchronization_stopped = True",
    ] },
    // addons/google_calendar/data/neutralize.sql (18.0 to 19.0)
    Module { name: "google_calendar", from: 18, to: 19, tables: &["res_users_settings"], statements: &[
        "UPDATE ONLY public.res_users_settings SET google_calendar_rtoken = NULL, google_calendar_token = NULL, google_synchronization_stopped = True",
    ] },
    // addons/google_recaptcha/data/neutralize.sql (18.0 to 19.0)
    Module { name: "google_recaptcha", from: 18, to: 19, tables: &["ir_config_parameter"], statements: &[
        "UPDATE ONLY public.ir_config_parameter SET value = '' WHERE key IN ('recaptcha_public_key', 'recaptcha_private_key')",
    ] },
    // addons/iap/data/neutralize.sql (16.0)
    Module { name: "iap", from: 16, to: 16, tables: &["ir_config_parameter"], statements: &[
        "INSERT INTO public.ir_config_parameter (key, value) VALUES ('iap.endpoint', 'https://iap-sandbox.odoo.com') ON CONFLICT (key) DO UPDATE SET value = 'https://iap-sandbox.odoo.com'",
    ] },
    // addons/iap/data/neutralize.sql (17.0 to 19.0)
    Module { name: "iap", from: 17, to: 19, tables: &["iap_account"], statements: &[
        r#"UPDATE ONLY public.iap_account SET account_token = REGEXP_REPLACE(account_token, '(\+.*)?$', '+disabled') WHERE LENGTH(account_token) <= 33"#,
        "UPDATE ONLY public.iap_account SET account_token = 'dummy_value+disabled' WHERE LENGTH(account_token) > 33 AND account_token NOT LIKE '%+disabled'",
    ] },
    // addons/l10n_dk_nemhandel/data/neutralize.sql (19.0)
    Module { name: "l10n_dk_nemhandel", from: 19, to: 19, tables: &["ir_config_parameter"], statements: &[
        "UPDATE ONLY public.ir_config_parameter SET value = 'test' WHERE key = 'l10n_dk_nemhandel.edi.mode'",
    ] },
    // addons/l10n_eg_edi_eta/data/neutralize.sql (16.0 to 19.0)
    Module { name: "l10n_eg_edi_eta", from: 16, to: 19, tables: &["res_company"], statements: &[
        "UPDATE ONLY public.res_company SET l10n_eg_production_env = false, l10n_eg_client_secret = 'dummy'",
    ] },
    // addons/l10n_es_edi_sii/data/neutralize.sql (16.0 to 17.0)
    Module { name: "l10n_es_edi_sii", from: 16, to: 17, tables: &["res_company"], statements: &[
        "UPDATE ONLY public.res_company SET l10n_es_edi_test_env = true",
    ] },
    // addons/l10n_es_edi_sii/data/neutralize.sql (18.0 to 19.0)
    Module { name: "l10n_es_edi_sii", from: 18, to: 19, tables: &["res_company"], statements: &[
        "UPDATE ONLY public.res_company SET l10n_es_sii_test_env = true",
    ] },
    // addons/l10n_es_edi_tbai/data/neutralize.sql (18.0 to 19.0)
    Module { name: "l10n_es_edi_tbai", from: 18, to: 19, tables: &["res_company"], statements: &[
        "UPDATE ONLY public.res_company SET l10n_es_tbai_test_env = true",
    ] },
    // addons/l10n_es_edi_verifactu/data/neutralize.sql (18.0 to 19.0)
    Module { name: "l10n_es_edi_verifactu", from: 18, to: 19, tables: &["res_company"], statements: &[
        "UPDATE ONLY public.res_company SET l10n_es_edi_verifactu_test_environment = TRUE",
    ] },
    // addons/l10n_gr_edi/data/neutralize.sql (19.0)
    Module { name: "l10n_gr_edi", from: 19, to: 19, tables: &["res_company"], statements: &[
        "UPDATE ONLY public.res_company SET l10n_gr_edi_test_env = TRUE",
    ] },
    // addons/l10n_hr_edi/data/neutralize.sql (19.0)
    Module { name: "l10n_hr_edi", from: 19, to: 19, tables: &["res_company"], statements: &[
        "UPDATE ONLY public.res_company SET l10n_hr_mer_username = NULL, l10n_hr_mer_password = NULL, l10n_hr_mer_company_ident = NULL, l10n_hr_mer_software_ident = NULL, l10n_hr_mer_connection_state = 'inactive', l10n_hr_mer_connection_mode = 'test'",
    ] },
    // addons/l10n_hu_edi/data/neutralize.sql (17.0 to 19.0)
    Module { name: "l10n_hu_edi", from: 17, to: 19, tables: &["res_company"], statements: &[
        "UPDATE ONLY public.res_company SET l10n_hu_edi_server_mode = 'test', l10n_hu_edi_username = '', l10n_hu_edi_password = '', l10n_hu_edi_signature_key = '', l10n_hu_edi_replacement_key = '' WHERE l10n_hu_edi_server_mode = 'production'",
    ] },
    // addons/l10n_in/data/neutralize.sql (18.0 to 19.0)
    Module { name: "l10n_in", from: 18, to: 19, tables: &["res_company"], statements: &[
        "UPDATE ONLY public.res_company SET l10n_in_edi_production_env = false",
    ] },
    // addons/l10n_in_edi/data/neutralize.sql (16.0 to 17.0)
    Module { name: "l10n_in_edi", from: 16, to: 17, tables: &["res_company"], statements: &[
        "UPDATE ONLY public.res_company SET l10n_in_edi_production_env = false, l10n_in_edi_username = NULL, l10n_in_edi_password = NULL, l10n_in_edi_token = NULL, l10n_in_edi_token_validity = NULL",
    ] },
    // addons/l10n_in_edi/data/neutralize.sql (18.0 to 19.0)
    Module { name: "l10n_in_edi", from: 18, to: 19, tables: &["res_company"], statements: &[
        "UPDATE ONLY public.res_company SET l10n_in_edi_username = NULL, l10n_in_edi_password = NULL, l10n_in_edi_token = NULL, l10n_in_edi_token_validity = NULL",
    ] },
    // addons/l10n_in_edi_ewaybill/data/neutralize.sql (16.0 to 18.0)
    Module { name: "l10n_in_edi_ewaybill", from: 16, to: 18, tables: &["res_company"], statements: &[
        "UPDATE ONLY public.res_company SET l10n_in_edi_ewaybill_username = NULL, l10n_in_edi_ewaybill_password = NULL, l10n_in_edi_ewaybill_auth_validity = NULL",
    ] },
    // addons/l10n_in_ewaybill/data/neutralize.sql (19.0)
    Module { name: "l10n_in_ewaybill", from: 19, to: 19, tables: &["res_company"], statements: &[
        "UPDATE ONLY public.res_company SET l10n_in_ewaybill_username = NULL, l10n_in_ewaybill_password = NULL, l10n_in_ewaybill_auth_validity = NULL",
    ] },
    // addons/l10n_it_edi/data/neutralize.sql (19.0)
    Module { name: "l10n_it_edi", from: 19, to: 19, tables: &["res_company"], statements: &[
        "UPDATE ONLY public.res_company SET l10n_it_edi_register = false",
    ] },
    // addons/l10n_jo_edi/data/neutralize.sql (18.0 to 19.0)
    Module { name: "l10n_jo_edi", from: 18, to: 19, tables: &["res_company"], statements: &[
        "UPDATE ONLY public.res_company SET l10n_jo_edi_secret_key = 'dummy_secret', l10n_jo_edi_client_identifier = 'dummy_id'",
    ] },
    // addons/l10n_ke_edi_tremol/data/neutralize.sql (16.0 to 19.0)
    Module { name: "l10n_ke_edi_tremol", from: 16, to: 19, tables: &["res_company"], statements: &[
        "UPDATE ONLY public.res_company SET l10n_ke_cu_proxy_address = ''",
    ] },
    // addons/l10n_my_edi/data/neutralize.sql (18.0 to 19.0)
    Module { name: "l10n_my_edi", from: 18, to: 19, tables: &["account_edi_proxy_client_user", "res_company"], statements: &[
        "UPDATE ONLY public.account_edi_proxy_client_user SET active = FALSE WHERE proxy_type = 'l10n_my_edi'",
        "UPDATE ONLY public.res_company SET l10n_my_edi_mode = 'test'",
    ] },
    // addons/l10n_pl_edi/data/neutralize.sql (19.0)
    Module { name: "l10n_pl_edi", from: 19, to: 19, tables: &["res_company", "ir_config_parameter"], statements: &[
        "UPDATE ONLY public.res_company SET l10n_pl_edi_certificate = NULL, l10n_pl_edi_access_token = NULL, l10n_pl_edi_refresh_token = NULL, l10n_pl_edi_session_id = NULL, l10n_pl_edi_session_key = NULL, l10n_pl_edi_session_iv = NULL",
        "INSERT INTO public.ir_config_parameter (key, value, create_date, write_date) VALUES ('l10n_pl_edi_ksef.mode', 'test', NOW(), NOW()) ON CONFLICT (key) DO UPDATE SET value = 'test', write_date = NOW()",
    ] },
    // addons/l10n_ro_edi/data/neutralize.sql (18.0 to 19.0)
    Module { name: "l10n_ro_edi", from: 18, to: 19, tables: &["res_company"], statements: &[
        "UPDATE ONLY public.res_company SET l10n_ro_edi_test_env = true, l10n_ro_edi_client_id = NULL, l10n_ro_edi_client_secret = NULL, l10n_ro_edi_access_token = NULL, l10n_ro_edi_refresh_token = NULL",
    ] },
    // addons/l10n_rs_edi/data/neutralize.sql (18.0 to 19.0)
    Module { name: "l10n_rs_edi", from: 18, to: 19, tables: &["res_company"], statements: &[
        "UPDATE ONLY public.res_company SET l10n_rs_edi_api_key = 'dummy_key', l10n_rs_edi_demo_env = TRUE",
    ] },
    // addons/l10n_sa_edi/data/neutralize.sql (16.0 to 19.0)
    Module { name: "l10n_sa_edi", from: 16, to: 19, tables: &["res_company"], statements: &[
        "UPDATE ONLY public.res_company SET l10n_sa_api_mode = 'sandbox'",
    ] },
    // addons/l10n_tr_nilvera/data/neutralize.sql (18.0)
    Module { name: "l10n_tr_nilvera", from: 18, to: 18, tables: &["res_company"], statements: &[
        "UPDATE ONLY public.res_company SET l10n_tr_nilvera_api_key = NULL, l10n_tr_nilvera_environment = 'sandbox', l10n_tr_nilvera_purchase_journal_id = NULL",
    ] },
    // addons/l10n_tr_nilvera/data/neutralize.sql (19.0)
    Module { name: "l10n_tr_nilvera", from: 19, to: 19, tables: &["res_company"], statements: &[
        "UPDATE ONLY public.res_company SET l10n_tr_nilvera_api_key = NULL, l10n_tr_nilvera_use_test_env = TRUE, l10n_tr_nilvera_purchase_journal_id = NULL",
    ] },
    // addons/l10n_tw_edi_ecpay/data/neutralize.sql (19.0)
    Module { name: "l10n_tw_edi_ecpay", from: 19, to: 19, tables: &["res_company"], statements: &[
        "UPDATE ONLY public.res_company SET l10n_tw_edi_ecpay_staging_mode = TRUE",
    ] },
    // addons/l10n_vn_edi_viettel/data/neutralize.sql (18.0 to 19.0)
    Module { name: "l10n_vn_edi_viettel", from: 18, to: 19, tables: &["res_company"], statements: &[
        "UPDATE ONLY public.res_company SET l10n_vn_edi_username = '', l10n_vn_edi_password = ''",
    ] },
    // addons/mail/data/neutralize.sql (16.0)
    Module { name: "mail", from: 16, to: 16, tables: &["mail_template"], statements: &[
        "UPDATE ONLY public.mail_template SET mail_server_id = NULL",
    ] },
    // addons/mail/data/neutralize.sql (17.0), but for its last statement:
    // 17.0's `TRUNCATE ONLY mail_partner_device CASCADE` empties every table
    // with a many2one to it (a custom field included), the hazard later
    // builds fixed with a DELETE (odoo/odoo#241535, as 18.0's row has it):
    // deleted rows follow each foreign key's own ON DELETE rule instead.
    Module { name: "mail", from: 17, to: 17, tables: &["mail_template", "ir_config_parameter", "mail_notification_web_push", "mail_partner_device"], statements: &[
        "UPDATE ONLY public.mail_template SET mail_server_id = NULL",
        "DELETE FROM ONLY public.ir_config_parameter WHERE key IN ('mail.web_push_vapid_private_key', 'mail.web_push_vapid_public_key', 'mail.sfu_server_key')",
        "TRUNCATE ONLY public.mail_notification_web_push",
        "DELETE FROM ONLY public.mail_partner_device",
    ] },
    // addons/mail/data/neutralize.sql (18.0 to 19.0)
    Module { name: "mail", from: 18, to: 19, tables: &["mail_template", "ir_config_parameter", "mail_push", "mail_push_device"], statements: &[
        "UPDATE ONLY public.mail_template SET mail_server_id = NULL",
        "DELETE FROM ONLY public.ir_config_parameter WHERE key IN ('mail.web_push_vapid_private_key', 'mail.web_push_vapid_public_key', 'mail.sfu_server_key')",
        "TRUNCATE ONLY public.mail_push",
        "DELETE FROM ONLY public.mail_push_device",
    ] },
    // addons/microsoft_calendar/data/neutralize.sql (16.0)
    Module { name: "microsoft_calendar", from: 16, to: 16, tables: &["res_users"], statements: &[
        "UPDATE ONLY public.res_users SET microsoft_calendar_token = NULL, microsoft_calendar_rtoken = NULL, microsoft_synchronization_stopped = True",
    ] },
    // addons/microsoft_calendar/data/neutralize.sql (17.0)
    Module { name: "microsoft_calendar", from: 17, to: 17, tables: &["res_users", "microsoft_calendar_credentials"], statements: &[
        "UPDATE ONLY public.res_users SET microsoft_calendar_token = NULL, microsoft_calendar_rtoken = NULL",
        "UPDATE ONLY public.microsoft_calendar_credentials SET calendar_sync_token = NULL, synchronization_stopped = True, last_sync_date = NULL",
    ] },
    // addons/microsoft_calendar/data/neutralize.sql (18.0 to 19.0)
    Module { name: "microsoft_calendar", from: 18, to: 19, tables: &["res_users", "res_users_settings"], statements: &[
        "UPDATE ONLY public.res_users SET microsoft_calendar_token = NULL, microsoft_calendar_rtoken = NULL",
        "UPDATE ONLY public.res_users_settings SET microsoft_calendar_sync_token = NULL, microsoft_synchronization_stopped = True, microsoft_last_sync_date = NULL",
    ] },
    // addons/partner_autocomplete/data/neutralize.sql (16.0)
    Module { name: "partner_autocomplete", from: 16, to: 16, tables: &["ir_config_parameter"], statements: &[
        "INSERT INTO public.ir_config_parameter (key, value) VALUES ('iap.partner_autocomplete.endpoint', 'https://iap-services-test.odoo.com') ON CONFLICT (key) DO UPDATE SET value = 'https://iap-services-test.odoo.com'",
    ] },
    // addons/payment/data/neutralize.sql (16.0 to 19.0)
    Module { name: "payment", from: 16, to: 19, tables: &["payment_provider"], statements: &[
        "UPDATE ONLY public.payment_provider SET state = 'disabled' WHERE state NOT IN ('test', 'disabled')",
    ] },
    // addons/payment_adyen/data/neutralize.sql (16.0 to 19.0)
    Module { name: "payment_adyen", from: 16, to: 19, tables: &["payment_provider"], statements: &[
        "UPDATE ONLY public.payment_provider SET adyen_merchant_account = NULL, adyen_api_key = NULL, adyen_hmac_key = NULL",
    ] },
    // addons/payment_alipay/data/neutralize.sql (16.0 to 17.0)
    Module { name: "payment_alipay", from: 16, to: 17, tables: &["payment_provider"], statements: &[
        "UPDATE ONLY public.payment_provider SET alipay_merchant_partner_id = NULL, alipay_md5_signature_key = NULL, alipay_seller_email = NULL",
    ] },
    // addons/payment_aps/data/neutralize.sql (16.0 to 19.0)
    Module { name: "payment_aps", from: 16, to: 19, tables: &["payment_provider"], statements: &[
        "UPDATE ONLY public.payment_provider SET aps_merchant_identifier = NULL, aps_access_code = NULL, aps_sha_request = NULL, aps_sha_response = NULL",
    ] },
    // addons/payment_asiapay/data/neutralize.sql (16.0)
    Module { name: "payment_asiapay", from: 16, to: 16, tables: &["payment_provider"], statements: &[
        "UPDATE ONLY public.payment_provider SET asiapay_merchant_id = NULL, asiapay_currency_id = NULL, asiapay_secure_hash_secret = NULL, asiapay_secure_hash_function = NULL",
    ] },
    // addons/payment_asiapay/data/neutralize.sql (17.0 to 19.0)
    Module { name: "payment_asiapay", from: 17, to: 19, tables: &["payment_provider"], statements: &[
        "UPDATE ONLY public.payment_provider SET asiapay_merchant_id = NULL, asiapay_secure_hash_secret = NULL, asiapay_secure_hash_function = NULL",
    ] },
    // addons/payment_authorize/data/neutralize.sql (16.0 to 19.0)
    Module { name: "payment_authorize", from: 16, to: 19, tables: &["payment_provider"], statements: &[
        "UPDATE ONLY public.payment_provider SET authorize_login = NULL, authorize_transaction_key = NULL, authorize_signature_key = NULL, authorize_client_key = NULL",
    ] },
    // addons/payment_buckaroo/data/neutralize.sql (16.0 to 19.0)
    Module { name: "payment_buckaroo", from: 16, to: 19, tables: &["payment_provider"], statements: &[
        "UPDATE ONLY public.payment_provider SET buckaroo_website_key = NULL, buckaroo_secret_key = NULL",
    ] },
    // addons/payment_dpo/data/neutralize.sql (19.0)
    Module { name: "payment_dpo", from: 19, to: 19, tables: &["payment_provider"], statements: &[
        "UPDATE ONLY public.payment_provider SET dpo_company_token = NULL, dpo_service_ref = NULL",
    ] },
    // addons/payment_flutterwave/data/neutralize.sql (16.0 to 19.0)
    Module { name: "payment_flutterwave", from: 16, to: 19, tables: &["payment_provider"], statements: &[
        "UPDATE ONLY public.payment_provider SET flutterwave_public_key = NULL, flutterwave_secret_key = NULL, flutterwave_webhook_secret = NULL",
    ] },
    // addons/payment_iyzico/data/neutralize.sql (19.0)
    Module { name: "payment_iyzico", from: 19, to: 19, tables: &["payment_provider"], statements: &[
        "UPDATE ONLY public.payment_provider SET iyzico_key_id = NULL, iyzico_key_secret = NULL",
    ] },
    // addons/payment_mercado_pago/data/neutralize.sql (16.0 to 19.0)
    Module { name: "payment_mercado_pago", from: 16, to: 19, tables: &["payment_provider"], statements: &[
        "UPDATE ONLY public.payment_provider SET mercado_pago_access_token = NULL",
    ] },
    // addons/payment_mollie/data/neutralize.sql (16.0 to 19.0)
    Module { name: "payment_mollie", from: 16, to: 19, tables: &["payment_provider"], statements: &[
        "UPDATE ONLY public.payment_provider SET mollie_api_key = NULL",
    ] },
    // addons/payment_nuvei/data/neutralize.sql (18.0 to 19.0)
    Module { name: "payment_nuvei", from: 18, to: 19, tables: &["payment_provider"], statements: &[
        "UPDATE ONLY public.payment_provider SET nuvei_merchant_identifier = NULL, nuvei_site_identifier = NULL, nuvei_secret_key = NULL",
    ] },
    // addons/payment_ogone/data/neutralize.sql (16.0 to 17.0)
    Module { name: "payment_ogone", from: 16, to: 17, tables: &["payment_provider"], statements: &[
        "UPDATE ONLY public.payment_provider SET ogone_pspid = NULL, ogone_userid = NULL, ogone_password = NULL, ogone_shakey_in = NULL, ogone_shakey_out = NULL",
    ] },
    // addons/payment_paymob/data/neutralize.sql (19.0)
    Module { name: "payment_paymob", from: 19, to: 19, tables: &["payment_provider"], statements: &[
        "UPDATE ONLY public.payment_provider SET paymob_public_key = NULL, paymob_secret_key = NULL, paymob_hmac_key = NULL, paymob_api_key = NULL",
    ] },
    // addons/payment_paypal/data/neutralize.sql (16.0)
    Module { name: "payment_paypal", from: 16, to: 16, tables: &["payment_provider"], statements: &[
        "UPDATE ONLY public.payment_provider SET paypal_email_account = NULL, paypal_seller_account = NULL, paypal_pdt_token = NULL",
    ] },
    // addons/payment_paypal/data/neutralize.sql (17.0)
    Module { name: "payment_paypal", from: 17, to: 17, tables: &["payment_provider"], statements: &[
        "UPDATE ONLY public.payment_provider SET paypal_email_account = NULL, paypal_pdt_token = NULL",
    ] },
    // addons/payment_paypal/data/neutralize.sql (18.0 to 19.0)
    Module { name: "payment_paypal", from: 18, to: 19, tables: &["payment_provider"], statements: &[
        "UPDATE ONLY public.payment_provider SET paypal_email_account = NULL, paypal_client_id = NULL, paypal_client_secret = NULL",
    ] },
    // addons/payment_payulatam/data/neutralize.sql (16.0 to 17.0)
    Module { name: "payment_payulatam", from: 16, to: 17, tables: &["payment_provider"], statements: &[
        "UPDATE ONLY public.payment_provider SET payulatam_merchant_id = NULL, payulatam_account_id = NULL, payulatam_api_key = NULL",
    ] },
    // addons/payment_payumoney/data/neutralize.sql (16.0 to 17.0)
    Module { name: "payment_payumoney", from: 16, to: 17, tables: &["payment_provider"], statements: &[
        "UPDATE ONLY public.payment_provider SET payumoney_merchant_key = NULL, payumoney_merchant_salt = NULL",
    ] },
    // addons/payment_razorpay/data/neutralize.sql (16.0 to 18.0)
    Module { name: "payment_razorpay", from: 16, to: 18, tables: &["payment_provider"], statements: &[
        "UPDATE ONLY public.payment_provider SET razorpay_key_id = NULL, razorpay_key_secret = NULL, razorpay_webhook_secret = NULL",
    ] },
    // addons/payment_razorpay/data/neutralize.sql (19.0)
    Module { name: "payment_razorpay", from: 19, to: 19, tables: &["payment_provider"], statements: &[
        "UPDATE ONLY public.payment_provider SET razorpay_key_id = NULL, razorpay_key_secret = NULL, razorpay_webhook_secret = NULL, razorpay_account_id = NULL, razorpay_refresh_token = NULL, razorpay_public_token = NULL, razorpay_access_token = NULL, razorpay_access_token_expiry = NULL",
    ] },
    // addons/payment_razorpay_oauth/data/neutralize.sql (18.0; merged into payment_razorpay's by 19.0)
    Module { name: "payment_razorpay_oauth", from: 18, to: 18, tables: &["payment_provider"], statements: &[
        "UPDATE ONLY public.payment_provider SET razorpay_public_token = NULL, razorpay_refresh_token = NULL, razorpay_access_token = NULL, razorpay_access_token_expiry = NULL, razorpay_account_id = NULL",
    ] },
    // addons/payment_redsys/data/neutralize.sql (19.0)
    Module { name: "payment_redsys", from: 19, to: 19, tables: &["payment_provider"], statements: &[
        "UPDATE ONLY public.payment_provider SET redsys_merchant_code = NULL, redsys_merchant_terminal = NULL, redsys_secret_key = NULL",
    ] },
    // addons/payment_sips/data/neutralize.sql (16.0 to 17.0)
    Module { name: "payment_sips", from: 16, to: 17, tables: &["payment_provider"], statements: &[
        "UPDATE ONLY public.payment_provider SET sips_merchant_id = NULL, sips_secret = NULL",
    ] },
    // addons/payment_stripe/data/neutralize.sql (16.0 to 19.0)
    Module { name: "payment_stripe", from: 16, to: 19, tables: &["payment_provider"], statements: &[
        "UPDATE ONLY public.payment_provider SET stripe_secret_key = NULL, stripe_publishable_key = NULL, stripe_webhook_secret = NULL",
    ] },
    // addons/payment_worldline/data/neutralize.sql (18.0 to 19.0)
    Module { name: "payment_worldline", from: 18, to: 19, tables: &["payment_provider"], statements: &[
        "UPDATE ONLY public.payment_provider SET worldline_pspid = NULL, worldline_api_key = NULL, worldline_api_secret = NULL, worldline_webhook_key = NULL, worldline_webhook_secret = NULL",
    ] },
    // addons/payment_xendit/data/neutralize.sql (17.0 to 19.0)
    Module { name: "payment_xendit", from: 17, to: 19, tables: &["payment_provider"], statements: &[
        "UPDATE ONLY public.payment_provider SET xendit_secret_key = 'dummysecret', xendit_webhook_token = 'dummytoken'",
    ] },
    // addons/pos_adyen/data/neutralize.sql (16.0 to 19.0)
    Module { name: "pos_adyen", from: 16, to: 19, tables: &["pos_payment_method"], statements: &[
        "UPDATE ONLY public.pos_payment_method SET adyen_test_mode = true",
    ] },
    // addons/pos_glory_cash/data/neutralize.sql (19.0)
    Module { name: "pos_glory_cash", from: 19, to: 19, tables: &["pos_payment_method"], statements: &[
        "UPDATE ONLY public.pos_payment_method SET glory_websocket_address = '0.0.0.0'",
    ] },
    // addons/pos_mercado_pago/data/neutralize.sql (17.0 to 19.0)
    Module { name: "pos_mercado_pago", from: 17, to: 19, tables: &["pos_payment_method"], statements: &[
        "UPDATE ONLY public.pos_payment_method SET mp_bearer_token = 'dummy_value', mp_webhook_secret_key = 'dummy_value' WHERE mp_bearer_token IS NOT NULL",
    ] },
    // addons/pos_paytm/data/neutralize.sql (17.0 to 18.0)
    Module { name: "pos_paytm", from: 17, to: 18, tables: &["pos_payment_method"], statements: &[
        "UPDATE ONLY public.pos_payment_method SET paytm_test_mode = true, paytm_merchant_key = 'dummykey00012345'",
    ] },
    // addons/pos_pine_labs/data/neutralize.sql (18.0 to 19.0)
    Module { name: "pos_pine_labs", from: 18, to: 19, tables: &["pos_payment_method"], statements: &[
        "UPDATE ONLY public.pos_payment_method SET pine_labs_test_mode = true, pine_labs_merchant = 'dummymerchant', pine_labs_security_token = 'dummy123456'",
    ] },
    // addons/pos_qfpay/data/neutralize.sql (19.0)
    Module { name: "pos_qfpay", from: 19, to: 19, tables: &["pos_payment_method"], statements: &[
        "UPDATE ONLY public.pos_payment_method SET qfpay_pos_key = 'dummy', qfpay_notification_key = 'dummy'",
    ] },
    // addons/pos_razorpay/data/neutralize.sql (17.0 to 19.0)
    Module { name: "pos_razorpay", from: 17, to: 19, tables: &["pos_payment_method"], statements: &[
        "UPDATE ONLY public.pos_payment_method SET razorpay_test_mode = true, razorpay_api_key = 'dummykey00012345'",
    ] },
    // addons/pos_viva_com/data/neutralize.sql (19.0)
    Module { name: "pos_viva_com", from: 19, to: 19, tables: &["pos_payment_method"], statements: &[
        "UPDATE ONLY public.pos_payment_method SET viva_com_test_mode = true",
    ] },
    // addons/pos_viva_wallet/data/neutralize.sql (17.0 to 18.0)
    Module { name: "pos_viva_wallet", from: 17, to: 18, tables: &["pos_payment_method"], statements: &[
        "UPDATE ONLY public.pos_payment_method SET viva_wallet_test_mode = true",
    ] },
    // addons/sale_gelato/data/neutralize.sql (18.0 to 19.0)
    Module { name: "sale_gelato", from: 18, to: 19, tables: &["res_company"], statements: &[
        "UPDATE ONLY public.res_company SET gelato_api_key = NULL, gelato_webhook_secret = NULL",
    ] },
    // addons/sms/data/neutralize.sql (16.0)
    Module { name: "sms", from: 16, to: 16, tables: &["ir_config_parameter"], statements: &[
        "INSERT INTO public.ir_config_parameter (key, value) VALUES ('sms.endpoint', 'https://iap-services-test.odoo.com') ON CONFLICT (key) DO UPDATE SET value = 'https://iap-services-test.odoo.com'",
    ] },
    // addons/sms_twilio/data/neutralize.sql (19.0)
    Module { name: "sms_twilio", from: 19, to: 19, tables: &["res_company"], statements: &[
        "UPDATE ONLY public.res_company SET sms_twilio_auth_token = 'dummytoken'",
    ] },
    // addons/snailmail/data/neutralize.sql (16.0)
    Module { name: "snailmail", from: 16, to: 16, tables: &["ir_config_parameter"], statements: &[
        "INSERT INTO public.ir_config_parameter (key, value) VALUES ('snailmail.endpoint', 'https://iap-services-test.odoo.com') ON CONFLICT (key) DO UPDATE SET value = 'https://iap-services-test.odoo.com'",
    ] },
    // addons/web/data/neutralize.sql (16.0 to 19.0)
    Module { name: "web", from: 16, to: 19, tables: &["ir_ui_view"], statements: &[
        "UPDATE ONLY public.ir_ui_view SET active = true WHERE key = 'web.neutralize_banner'",
    ] },
    // addons/website/data/neutralize.sql (16.0)
    Module { name: "website", from: 16, to: 16, tables: &["website", "ir_ui_view"], statements: &[
        "UPDATE ONLY public.website SET domain = NULL",
        "UPDATE ONLY public.ir_ui_view SET active = true WHERE key = 'website.neutralize_ribbon'",
    ] },
    // addons/website/data/neutralize.sql (17.0 to 19.0)
    Module { name: "website", from: 17, to: 19, tables: &["website", "ir_ui_view"], statements: &[
        "UPDATE ONLY public.website SET domain = NULL",
        "UPDATE ONLY public.ir_ui_view SET active = true WHERE key = 'website.neutralize_ribbon'",
        "UPDATE ONLY public.website SET cdn_activated = false",
        r#"UPDATE ONLY public.website SET robots_txt = E'User-agent: *\nDisallow: /'"#,
    ] },
    // addons/website_cf_turnstile/data/neutralize.sql (18.0 to 19.0)
    Module { name: "website_cf_turnstile", from: 18, to: 19, tables: &["ir_config_parameter"], statements: &[
        "UPDATE ONLY public.ir_config_parameter SET value = '' WHERE key IN ('cf.turnstile_site_key','cf.turnstile_secret_key')",
    ] },
    // addons/website_crm_iap_reveal/data/neutralize.sql (16.0)
    Module { name: "website_crm_iap_reveal", from: 16, to: 16, tables: &["ir_config_parameter"], statements: &[
        "INSERT INTO public.ir_config_parameter (key, value) VALUES ('reveal.endpoint', 'https://iap-services-test.odoo.com') ON CONFLICT (key) DO UPDATE SET value = 'https://iap-services-test.odoo.com'",
    ] },
    // addons/website_event_jitsi/data/neutralize.sql (16.0 to 18.0)
    Module { name: "website_event_jitsi", from: 16, to: 18, tables: &["ir_config_parameter"], statements: &[
        "DELETE FROM ONLY public.ir_config_parameter WHERE key = 'website_jitsi.jitsi_server_domain'",
    ] },
    // addons/website_sale_autocomplete/data/neutralize.sql (16.0 to 19.0)
    Module { name: "website_sale_autocomplete", from: 16, to: 19, tables: &["website"], statements: &[
        "UPDATE ONLY public.website SET google_places_api_key = 'dummy'",
    ] },
];

/// The installed modules and `base`'s version (no table: not Odoo-shaped,
/// nothing to run). "Installed" as Odoo's `neutralize.get_installed_modules`
/// (16.0, 18.0, 19.0): state `installed`, `to upgrade` or `to remove`.
const INSTALLED_SQL: &str = "SELECT m.name::text, m.latest_version::text FROM ONLY public.ir_module_module m \
     WHERE m.state IN ('installed', 'to upgrade', 'to remove') AND pg_catalog.to_regclass('public.ir_module_module') IS NOT NULL ORDER BY m.name";
const HAS_MODULES_SQL: &str =
    "SELECT pg_catalog.to_regclass('public.ir_module_module') IS NOT NULL";

/// Which of `$1` (tables in schema `public`) do not exist.
const MISSING_SQL: &str = "SELECT t FROM pg_catalog.unnest($1::text[]) AS t \
     WHERE pg_catalog.to_regclass(pg_catalog.quote_ident('public') || '.' || pg_catalog.quote_ident(t)) IS NULL";

/// The table a statement of [`MODULES`] writes (the first `public.` name).
fn written_table(sql: &str) -> &str {
    sql.split_once("public.")
        .map(|(_, r)| {
            r.split(|c: char| !(c.is_alphanumeric() || c == '_'))
                .next()
                .unwrap_or(r)
        })
        .unwrap_or("")
}

/// What a database's neutralization will run: its major and the entries of
/// its installed modules.
#[derive(Debug, Default, Clone)]
pub struct Plan {
    pub major: Option<u32>,
    pub installed: Vec<String>,
    pub modules: Vec<&'static Module>,
}

impl Plan {
    /// Every table the statements of the plan write (for the guard).
    pub fn tables(&self) -> Vec<&'static str> {
        let mut t: Vec<&'static str> = self
            .modules
            .iter()
            .flat_map(|m| m.tables.iter().copied())
            .collect();
        t.sort_unstable();
        t.dedup();
        t
    }

    /// The modules a result names: base (always) and mail (when installed),
    /// whose core part is `lifecycle`'s own code, with `ran`; sorted.
    pub fn reported(&self, ran: impl IntoIterator<Item = String>) -> Vec<String> {
        let mut v: Vec<String> = ran.into_iter().collect();
        v.push("base".into());
        if self.installed.iter().any(|m| m == "mail") {
            v.push("mail".into());
        }
        v.sort_unstable();
        v.dedup();
        v
    }

    /// The names of the modules whose statements the plan runs.
    pub fn names(&self) -> Vec<&'static str> {
        self.modules.iter().map(|m| m.name).collect()
    }
}

/// The entries of `installed` modules for `major` (see [`FIRST`], [`LAST`]).
pub fn entries(installed: &[String], major: u32) -> Vec<&'static Module> {
    if major < FIRST {
        return Vec::new();
    }
    let major = major.min(LAST);
    MODULES
        .iter()
        .filter(|m| (m.from..=m.to).contains(&major) && installed.iter().any(|i| i == m.name))
        .collect()
}

/// Every table any entry writes (for `check`).
pub fn all_tables() -> Vec<&'static str> {
    let mut t: Vec<&'static str> = MODULES
        .iter()
        .flat_map(|m| m.tables.iter().copied())
        .collect();
    t.sort_unstable();
    t.dedup();
    t
}

/// The modules covered for `major`, sorted (README, `--help`).
pub fn covered(major: u32) -> Vec<&'static str> {
    let mut n: Vec<&'static str> = MODULES
        .iter()
        .filter(|m| (m.from..=m.to).contains(&major))
        .map(|m| m.name)
        .collect();
    n.sort_unstable();
    n.dedup();
    n
}

/// Reads the installed modules and the major of a database.
pub async fn plan(client: &impl GenericClient, deadline: Duration) -> anyhow::Result<Plan> {
    let has = within(deadline, client.query_typed(HAS_MODULES_SQL, &[])).await?;
    if !has.first().is_some_and(|r| r.get::<_, bool>(0)) {
        return Ok(Plan::default());
    }
    let rows = within(deadline, client.query_typed(INSTALLED_SQL, &[])).await?;
    let mut p = Plan::default();
    for r in rows {
        let name: String = r.get(0);
        if name == "base" {
            let v: Option<String> = r.get(1);
            p.major = v.as_deref().and_then(major_from_version);
        }
        p.installed.push(name);
    }
    if let Some(m) = p.major {
        p.modules = entries(&p.installed, m);
    }
    Ok(p)
}

/// What running a plan did.
#[derive(Debug, Default, Clone)]
pub struct Done {
    /// Modules at least one statement of which ran.
    pub modules: Vec<String>,
    /// One line per module (rows changed) or skipped statement.
    pub details: Vec<String>,
}

/// Runs the plan's statements inside `tx` (the caller's guarded
/// transaction). A statement whose table or column is missing is skipped
/// (module data absent: an older build, a partial schema) and said in
/// `details`. Any other
/// error aborts the transaction, as Odoo's neutralization would.
pub async fn run(tx: &Transaction<'_>, plan: &Plan, deadline: Duration) -> anyhow::Result<Done> {
    let mut done = Done::default();
    match plan.major {
        None => {
            done.details.push(
                "module neutralization skipped: the Odoo version (module base) is unknown".into(),
            );
            return Ok(done);
        }
        Some(m) if m < FIRST => {
            done.details.push(format!(
                "Odoo {m} has no module neutralization (Odoo {FIRST}+): none run"
            ));
            return Ok(done);
        }
        Some(_) => {}
    }
    let major = plan.major.unwrap_or(LAST);
    let tables = plan.tables();
    let missing: Vec<String> = within(
        deadline,
        tx.query_typed(MISSING_SQL, &[(&tables, Type::TEXT_ARRAY)]),
    )
    .await?
    .iter()
    .map(|r| r.get(0))
    .collect();
    for m in &plan.modules {
        let mut rows = 0u64;
        let mut ran = 0usize;
        for sql in m.statements {
            let table = written_table(sql);
            if missing.iter().any(|t| t == table) {
                done.details.push(format!(
                    "{}: one statement skipped, no table {table} (module data absent)",
                    m.name
                ));
                continue;
            }
            within(deadline, tx.batch_execute("SAVEPOINT tenantctl_neutralize")).await?;
            match tokio::time::timeout(deadline, tx.execute(*sql, &[])).await {
                Ok(Ok(n)) => {
                    within(
                        deadline,
                        tx.batch_execute("RELEASE SAVEPOINT tenantctl_neutralize"),
                    )
                    .await?;
                    rows += n;
                    ran += 1;
                }
                Ok(Err(e))
                    if e.code().is_some_and(|c| {
                        *c == tokio_postgres::error::SqlState::UNDEFINED_COLUMN
                            || *c == tokio_postgres::error::SqlState::UNDEFINED_TABLE
                    }) =>
                {
                    within(
                        deadline,
                        tx.batch_execute("ROLLBACK TO SAVEPOINT tenantctl_neutralize"),
                    )
                    .await?;
                    let why = e
                        .as_db_error()
                        .map(|d| d.message().to_string())
                        .unwrap_or_default();
                    done.details
                        .push(format!("{}: one statement skipped ({why})", m.name));
                }
                Ok(Err(e)) => {
                    return Err(crate::error::pg_error(&e)
                        .context(format!("neutralizing module {}", m.name)))
                }
                Err(_) => {
                    return Err(anyhow::Error::new(super::Timeout(deadline))
                        .context(format!("neutralizing module {}", m.name)))
                }
            }
        }
        if ran > 0 {
            done.modules.push(m.name.to_string());
            done.details.push(format!(
                "{}: {rows} row{} changed (its data/neutralize.sql of Odoo {})",
                m.name,
                if rows == 1 { "" } else { "s" },
                major.min(LAST)
            ));
        }
    }
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_entry_per_module_and_version() {
        for v in FIRST..=LAST {
            let mut seen = std::collections::HashSet::new();
            for m in MODULES.iter().filter(|m| (m.from..=m.to).contains(&v)) {
                assert!(seen.insert(m.name), "{} twice for {v}", m.name);
                assert!(
                    !m.statements.is_empty() && !m.tables.is_empty(),
                    "{}",
                    m.name
                );
                for s in m.statements {
                    assert!(m.tables.contains(&written_table(s)), "{}: {s}", m.name);
                    assert!(!s.contains(';'), "{s}");
                }
            }
        }
    }

    #[test]
    fn versions_pick_their_statements() {
        let inst: Vec<String> = ["web", "website", "payment", "delivery", "sale"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let names = |v| entries(&inst, v).iter().map(|m| m.name).collect::<Vec<_>>();
        assert_eq!(names(16), ["delivery", "payment", "web", "website"]);
        assert_eq!(names(20), names(19));
        assert!(names(15).is_empty());
        let d16 = entries(&inst, 16)
            .into_iter()
            .find(|m| m.name == "delivery")
            .unwrap();
        assert!(d16.statements[0].contains("active = false"));
        let w19 = entries(&inst, 19)
            .into_iter()
            .find(|m| m.name == "website")
            .unwrap();
        assert!(w19.statements.iter().any(|s| s.contains("robots_txt")));
        assert!(covered(19).contains(&"account_peppol"));
        assert!(!covered(17).contains(&"account_peppol"));
    }

    /// 18.0 as its tree has it (see the module doc): modules gone by 18.0
    /// not run, 18.0-only files and columns kept apart from 19.0's.
    #[test]
    fn eighteen_as_its_tree() {
        let c18 = covered(18);
        for gone in [
            "payment_alipay",
            "payment_ogone",
            "payment_payulatam",
            "payment_payumoney",
            "payment_sips",
        ] {
            assert!(!c18.contains(&gone), "{gone}");
            assert!(covered(17).contains(&gone), "{gone}");
        }
        for new in [
            "payment_razorpay_oauth",
            "certificate",
            "cloud_storage",
            "l10n_in",
            "sale_gelato",
            "website_cf_turnstile",
        ] {
            assert!(c18.contains(&new), "{new}");
        }
        assert!(!covered(19).contains(&"payment_razorpay_oauth"));
        let inst: Vec<String> = ["payment_razorpay", "l10n_tr_nilvera"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let stmt = |v, name| {
            entries(&inst, v)
                .into_iter()
                .find(|m| m.name == name)
                .unwrap()
                .statements[0]
        };
        assert!(!stmt(18, "payment_razorpay").contains("razorpay_access_token"));
        assert!(stmt(19, "payment_razorpay").contains("razorpay_access_token"));
        assert!(stmt(18, "l10n_tr_nilvera").contains("l10n_tr_nilvera_environment = 'sandbox'"));
        assert!(stmt(19, "l10n_tr_nilvera").contains("l10n_tr_nilvera_use_test_env"));
    }
}

CREATE TABLE `coin_packs` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`coins` integer NOT NULL,
	`amount` integer NOT NULL,
	`currency` text NOT NULL,
	`is_active` integer DEFAULT true NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `extra_grants` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`sku` text NOT NULL,
	`invoice_id` text NOT NULL,
	`grants` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `extra_grants_invoice_id_unique` ON `extra_grants` (`invoice_id`);--> statement-breakpoint
CREATE INDEX `extra_grants_user_idx` ON `extra_grants` (`user_id`);--> statement-breakpoint
CREATE TABLE `extras` (
	`sku` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`amount` integer NOT NULL,
	`currency` text NOT NULL,
	`grants` text NOT NULL,
	`is_active` integer DEFAULT true NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `invoices` (
	`id` text PRIMARY KEY NOT NULL,
	`code` text NOT NULL,
	`user_id` text NOT NULL,
	`purpose` text NOT NULL,
	`subject_id` text NOT NULL,
	`amount` integer NOT NULL,
	`currency` text NOT NULL,
	`status` text NOT NULL,
	`lines` text NOT NULL,
	`settlement` text,
	`created_at` integer NOT NULL,
	`paid_at` integer,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "invoices_amount_positive" CHECK("invoices"."amount" > 0)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `invoices_code_unique` ON `invoices` (`code`);--> statement-breakpoint
CREATE INDEX `invoices_user_idx` ON `invoices` (`user_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `invoices_paid_idx` ON `invoices` (`status`,`paid_at`);--> statement-breakpoint
CREATE TABLE `payment_attempts` (
	`id` text PRIMARY KEY NOT NULL,
	`invoice_id` text NOT NULL,
	`provider` text NOT NULL,
	`status` text NOT NULL,
	`reference` text NOT NULL,
	`checkout_url` text NOT NULL,
	`idempotency_key` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`invoice_id`) REFERENCES `invoices`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `payment_attempts_reference_unique` ON `payment_attempts` (`reference`);--> statement-breakpoint
CREATE UNIQUE INDEX `payment_attempts_idempotency_idx` ON `payment_attempts` (`invoice_id`,`idempotency_key`);--> statement-breakpoint
CREATE TABLE `payment_events` (
	`provider` text NOT NULL,
	`event_id` text NOT NULL,
	`token` text NOT NULL,
	`invoice_id` text NOT NULL,
	`status` text NOT NULL,
	`received_at` integer NOT NULL,
	PRIMARY KEY(`provider`, `event_id`)
);
--> statement-breakpoint
CREATE TABLE `plans` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`amount` integer NOT NULL,
	`currency` text NOT NULL,
	`period_days` integer NOT NULL,
	`flags` text NOT NULL,
	`max_upload_mb` integer NOT NULL,
	`is_active` integer DEFAULT true NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `subscriptions` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`plan_id` text NOT NULL,
	`status` text NOT NULL,
	`starts_at` integer,
	`ends_at` integer,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`plan_id`) REFERENCES `plans`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `subscriptions_user_idx` ON `subscriptions` (`user_id`,`status`);--> statement-breakpoint
CREATE TABLE `verification_documents` (
	`id` text PRIMARY KEY NOT NULL,
	`request_id` text NOT NULL,
	`doc_type` text NOT NULL,
	`title` text,
	`path` text NOT NULL,
	`mime_type` text NOT NULL,
	`size_bytes` integer NOT NULL,
	`is_approved` integer,
	`decision_note` text,
	`reviewed_by` text,
	`reviewed_at` integer,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`request_id`) REFERENCES `verification_requests`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `verification_documents_request_idx` ON `verification_documents` (`request_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `verification_requests` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`badge` text NOT NULL,
	`note` text,
	`status` text NOT NULL,
	`invoice_id` text,
	`decided_by` text,
	`decided_at` integer,
	`verified_until` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `verification_requests_user_idx` ON `verification_requests` (`user_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `verification_requests_status_idx` ON `verification_requests` (`status`,`created_at`);--> statement-breakpoint
CREATE TABLE `promo_assets` (
	`id` text PRIMARY KEY NOT NULL,
	`request_id` text NOT NULL,
	`path` text NOT NULL,
	`mime_type` text NOT NULL,
	`size_bytes` integer NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`request_id`) REFERENCES `promo_requests`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `promo_assets_request_idx` ON `promo_assets` (`request_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `promo_requests` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`ad_type` text NOT NULL,
	`title` text NOT NULL,
	`note` text,
	`start_at` integer NOT NULL,
	`end_at` integer NOT NULL,
	`status` text NOT NULL,
	`quote_amount` integer,
	`quote_note` text,
	`reject_reason` text,
	`invoice_id` text,
	`decided_by` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `promo_requests_user_idx` ON `promo_requests` (`user_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `promo_requests_status_idx` ON `promo_requests` (`status`,`created_at`);--> statement-breakpoint
CREATE INDEX `promo_requests_active_idx` ON `promo_requests` (`status`,`ad_type`,`end_at`);--> statement-breakpoint
ALTER TABLE `providers` ADD `verified_until` integer;--> statement-breakpoint
-- The default catalogues (amounts in halalas); staff with the billing module change them in the back office.
INSERT INTO `plans` (`id`, `name`, `amount`, `currency`, `period_days`, `flags`, `max_upload_mb`, `is_active`, `created_at`) VALUES
  ('plan_pro', 'Pro', 4900, 'SAR', 30, '{"portfolioItems":50,"portfolioVideos":true,"priorityListing":true}', 10, 1, 1767225600000),
  ('plan_business', 'Business', 14900, 'SAR', 30, '{"portfolioItems":200,"portfolioVideos":true,"priorityListing":true,"teamSeats":5}', 25, 1, 1767225600001);
--> statement-breakpoint
INSERT INTO `extras` (`sku`, `name`, `amount`, `currency`, `grants`, `is_active`, `created_at`) VALUES
  ('portfolio-20', '20 more portfolio items', 1900, 'SAR', '{"portfolioItems":20}', 1, 1767225600000),
  ('priority-listing', 'Priority listing', 2900, 'SAR', '{"priorityListing":true}', 1, 1767225600001);
--> statement-breakpoint
INSERT INTO `coin_packs` (`id`, `name`, `coins`, `amount`, `currency`, `is_active`, `created_at`) VALUES
  ('coins_100', '100 coins', 100, 499, 'SAR', 1, 1767225600000),
  ('coins_550', '550 coins', 550, 2499, 'SAR', 1, 1767225600001),
  ('coins_1200', '1200 coins', 1200, 4999, 'SAR', 1, 1767225600002);

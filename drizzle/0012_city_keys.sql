DROP INDEX `providers_city_idx`;--> statement-breakpoint
ALTER TABLE `providers` ADD `city_key` text DEFAULT '' NOT NULL;--> statement-breakpoint
CREATE INDEX `providers_city_idx` ON `providers` (`city_key`,`created_at`);--> statement-breakpoint
ALTER TABLE `service_requests` ADD `city_key` text DEFAULT '' NOT NULL;--> statement-breakpoint
CREATE INDEX `service_requests_city_idx` ON `service_requests` (`city_key`);
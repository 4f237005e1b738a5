CREATE INDEX `support_requests_created_idx` ON `support_requests` (`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `tickets_created_idx` ON `tickets` (`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `courses_created_idx` ON `courses` (`created_at`,`id`);
CREATE TABLE `recording_consents` (
	`room` text NOT NULL,
	`user_id` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`room`, `user_id`),
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `recordings` (
	`id` text PRIMARY KEY NOT NULL,
	`room` text NOT NULL,
	`subject` text NOT NULL,
	`subject_id` text NOT NULL,
	`started_by` text NOT NULL,
	`status` text NOT NULL,
	`interrupted` integer DEFAULT false NOT NULL,
	`duration_sec` integer,
	`size_bytes` integer,
	`file_name` text,
	`mime_type` text,
	`thumbnail_name` text,
	`error` text,
	`started_at` integer NOT NULL,
	`ended_at` integer,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`started_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `recordings_one_running_per_room` ON `recordings` (`room`) WHERE "recordings"."status" = 'recording';--> statement-breakpoint
CREATE INDEX `recordings_subject_idx` ON `recordings` (`subject`,`subject_id`,`started_at`);--> statement-breakpoint
CREATE INDEX `recordings_status_idx` ON `recordings` (`status`);--> statement-breakpoint
ALTER TABLE `live_sessions` ADD `auto_record` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `live_sessions` ADD `recording_url` text;--> statement-breakpoint
ALTER TABLE `videos` ADD `is_private` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `videos` ADD `recording_id` text;
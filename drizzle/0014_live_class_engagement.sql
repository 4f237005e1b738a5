CREATE TABLE `live_attendance` (
	`id` text PRIMARY KEY NOT NULL,
	`session_id` text NOT NULL,
	`user_id` text NOT NULL,
	`instance_id` text NOT NULL,
	`joined_at` integer NOT NULL,
	`left_at` integer,
	FOREIGN KEY (`session_id`) REFERENCES `live_sessions`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `live_attendance_session_idx` ON `live_attendance` (`session_id`,`user_id`,`joined_at`);--> statement-breakpoint
CREATE INDEX `live_attendance_user_idx` ON `live_attendance` (`user_id`,`session_id`);--> statement-breakpoint
CREATE INDEX `live_attendance_open_idx` ON `live_attendance` (`instance_id`,`left_at`);--> statement-breakpoint
CREATE TABLE `live_chat_messages` (
	`id` text PRIMARY KEY NOT NULL,
	`session_id` text NOT NULL,
	`user_id` text NOT NULL,
	`content` text NOT NULL,
	`client_msg_id` text,
	`created_at` integer NOT NULL,
	`deleted_at` integer,
	FOREIGN KEY (`session_id`) REFERENCES `live_sessions`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `live_chat_session_idx` ON `live_chat_messages` (`session_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `live_chat_sender_idx` ON `live_chat_messages` (`session_id`,`user_id`,`created_at`);--> statement-breakpoint
CREATE UNIQUE INDEX `live_chat_client_msg_idx` ON `live_chat_messages` (`session_id`,`user_id`,`client_msg_id`);--> statement-breakpoint
CREATE TABLE `live_participants` (
	`session_id` text NOT NULL,
	`user_id` text NOT NULL,
	`hand_raised_at` integer,
	`chat_muted` integer DEFAULT false NOT NULL,
	`removed_at` integer,
	PRIMARY KEY(`session_id`, `user_id`),
	FOREIGN KEY (`session_id`) REFERENCES `live_sessions`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `live_participants_hands_idx` ON `live_participants` (`session_id`,`hand_raised_at`);--> statement-breakpoint
CREATE TABLE `live_poll_votes` (
	`poll_id` text NOT NULL,
	`user_id` text NOT NULL,
	`option_ids` text NOT NULL,
	`voted_at` integer NOT NULL,
	PRIMARY KEY(`poll_id`, `user_id`),
	FOREIGN KEY (`poll_id`) REFERENCES `live_polls`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `live_polls` (
	`id` text PRIMARY KEY NOT NULL,
	`session_id` text NOT NULL,
	`question` text NOT NULL,
	`options` text NOT NULL,
	`multiple` integer NOT NULL,
	`anonymous` integer NOT NULL,
	`status` text NOT NULL,
	`created_at` integer NOT NULL,
	`opened_at` integer,
	`closed_at` integer,
	FOREIGN KEY (`session_id`) REFERENCES `live_sessions`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `live_polls_session_idx` ON `live_polls` (`session_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `live_question_votes` (
	`question_id` text NOT NULL,
	`user_id` text NOT NULL,
	PRIMARY KEY(`question_id`, `user_id`),
	FOREIGN KEY (`question_id`) REFERENCES `live_questions`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `live_questions` (
	`id` text PRIMARY KEY NOT NULL,
	`session_id` text NOT NULL,
	`user_id` text NOT NULL,
	`content` text NOT NULL,
	`anonymous` integer NOT NULL,
	`status` text NOT NULL,
	`votes` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`session_id`) REFERENCES `live_sessions`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `live_questions_session_idx` ON `live_questions` (`session_id`,`status`,`votes`);--> statement-breakpoint
ALTER TABLE `live_sessions` ADD `chat_slow_seconds` integer DEFAULT 0 NOT NULL;
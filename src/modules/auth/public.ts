// What other modules and the CLI may use of the auth module; everything else in this folder is its own.
export { userDisplayName } from './display-name.ts'
export { AdjustCoinsBody, CoinAmount, Email, Name, Password } from './model.ts'
export { UserService } from './service.ts'
export { Wallet } from './wallet.ts'
